package org.leashed.perf.cli;

import java.io.PrintWriter;
import org.leashed.perf.report.ReportCommand;
import org.leashed.perf.sweep.SweepCommand;
import org.leashed.perf.results.LeashedVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code leashed} command line: {@code train}, {@code sweep} and {@code report}.
 * Exit status: 0 success, 1 runtime failure, 2 usage error (picocli's default for bad flags; also data
 * that cannot be had).
 */
@Command(name = "leashed", mixinStandardHelpOptions = true, versionProvider = LeashedCli.Version.class,
        subcommands = {TrainCommand.class, SweepCommand.class, ReportCommand.class},
        description = {"Shared-memory asynchronous parallel SGD on the JVM: Leashed-SGD and its baselines.", ""},
        footer = {"", "Run 'leashed COMMAND --help' for a command's flags.",
            "Example: leashed train --algo LSH --threads 2 --epochs 10"})
public final class LeashedCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line (case-insensitive enum values, exit codes), also used by tests. */
    public static CommandLine newCommandLine() {
        final CommandLine commandLine = new CommandLine(new LeashedCli());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        AsciiNumbers.register(commandLine);
        commandLine.setParameterExceptionHandler((exception, args) -> {
            final CommandLine cmd = exception.getCommandLine();
            final PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + exception.getMessage());
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the flags and their allowed values.");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            final PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandName() + ": failed: " + exception);
            err.flush();
            return TrainRunner.EXIT_FAILURE;
        });
        return commandLine;
    }

    /** Without a subcommand: print the usage and fail as a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected one of "
                + spec.subcommands().keySet());
    }

    /** {@code --version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"leashed " + LeashedVersion.get(), "JDK " + System.getProperty("java.runtime.version")};
        }
    }
}
