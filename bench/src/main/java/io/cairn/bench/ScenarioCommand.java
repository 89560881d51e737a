package io.cairn.bench;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** One scenario on the command line: checks the options, runs it, maps the outcome to the exit code. */
@Command(mixinStandardHelpOptions = true, sortOptions = false)
final class ScenarioCommand implements Callable<Integer> {

    private final Scenario scenario;

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions options = new BenchOptions();

    ScenarioCommand(Scenario scenario) {
        this.scenario = scenario;
    }

    @Override
    public Integer call() throws InterruptedException {
        String problem = options.problem(scenario);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return scenario == Scenario.CONNS ? new ConnsRun(options).execute(out)
                    : new FlowRun(scenario, options).execute(out);
        } catch (BenchException e) {
            err.println(scenario.command() + ": " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
    }
}
