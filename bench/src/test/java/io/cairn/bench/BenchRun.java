package io.cairn.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** One in-process run of the command line, with what it printed. */
record BenchRun(int exitCode, String out, String err) {

    /** Runs {@code args} through {@link Main#run}. */
    static BenchRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new BenchRun(code, out.toString(), err.toString());
    }

    /** The lines printed on standard output. */
    List<String> lines() {
        return Arrays.stream(out.split("\n")).filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    /** The JSON result line, parsed. */
    JsonObject json() {
        List<String> json = lines().stream().filter(l -> l.startsWith("{")).collect(Collectors.toList());
        if (json.size() != 1) {
            throw new AssertionError("expected one JSON line, got " + json.size() + ":\n" + this);
        }
        return JsonParser.parseString(json.get(0)).getAsJsonObject();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
