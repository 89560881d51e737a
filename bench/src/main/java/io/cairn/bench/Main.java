package io.cairn.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line: {@code java -jar cairn-bench.jar <scenario> [options]}. Exit codes: 0 the run is valid,
 * 1 verification failed, 2 usage error, 3 the broker could not be reached or refused a connection or
 * subscription.
 */
@Command(name = "cairn-bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"MQTT 3.1/3.1.1/5.0 load generator: throughput, latency and connection scenarios, over TCP,"
                + " TLS (--tls), WebSocket (--ws) or both.",
                "--version also says whether OpenSSL (netty-tcnative) loads for --tls-provider."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /**
     * Runs the command line with {@code args}, writing results to {@code out} and messages to {@code err}.
     *
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        for (Scenario scenario : Scenario.values()) {
            CommandLine sub = new CommandLine(new ScenarioCommand(scenario));
            sub.getCommandSpec().usageMessage().description(scenario.description());
            cl.addSubcommand(scenario.command(), sub);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing scenario: one of pair, fanin, fanout, mesh,"
                + " latency, conns");
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cairn-bench " + (v != null ? v : "(development build)"), TlsClient.openSslStatus()};
        }
    }
}
