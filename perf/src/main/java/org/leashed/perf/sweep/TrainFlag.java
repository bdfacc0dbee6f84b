package org.leashed.perf.sweep;

import java.util.List;
import java.util.Optional;

/**
 * The {@code train} flags of SPEC "Interface" as the sweep understands them: canonical long name, the
 * short aliases of the original C++ framework, and how a sweep treats the value.
 *
 * <p>Grid syntax: a comma-separated value is a grid axis ({@code --threads 1,2,4}). Two flags take lists
 * themselves ({@code --epsilon 0.5,0.1}, {@code --pin 0,2,4-7}); for them commas stay inside the value
 * and a grid uses {@code ;} instead ({@code --pin "compact;scatter;0-3"}).
 *
 * @param longName   canonical spelling, e.g. {@code --threads}
 * @param aliases    short spellings, e.g. {@code -n}
 * @param kind       how the sweep treats the value
 */
public record TrainFlag(String longName, List<String> aliases, Kind kind) {
    /** Value handling. */
    public enum Kind {
        /** Takes a value; commas separate grid values. */
        VALUE,
        /** Takes a list value; {@code ;} separates grid values. */
        LIST_VALUE,
        /** Takes no value (e.g. {@code --elastic}); passed through. */
        SWITCH,
        /** Set by the sweep itself or meaningless per run; rejected with the reason. */
        FORBIDDEN
    }

    /** Every flag SPEC fixes for {@code train}. */
    public static final List<TrainFlag> ALL = List.of(
            new TrainFlag("--algo", List.of("-a"), Kind.VALUE),
            new TrainFlag("--threads", List.of("-n"), Kind.VALUE),
            new TrainFlag("--persistence", List.of("-B"), Kind.VALUE),
            new TrainFlag("--arch", List.of("-A"), Kind.VALUE),
            new TrainFlag("--layers", List.of("-L"), Kind.VALUE),
            new TrainFlag("--units", List.of("-U"), Kind.VALUE),
            new TrainFlag("--dataset", List.of("-D"), Kind.VALUE),
            new TrainFlag("--epochs", List.of("-e"), Kind.VALUE),
            new TrainFlag("--rounds", List.of("-r"), Kind.VALUE),
            new TrainFlag("--batch", List.of("-b"), Kind.VALUE),
            new TrainFlag("--lr", List.of("-l"), Kind.VALUE),
            new TrainFlag("--stepsize", List.of("-t"), Kind.VALUE),
            new TrainFlag("--seed", List.of(), Kind.VALUE),
            new TrainFlag("--epsilon", List.of(), Kind.LIST_VALUE),
            new TrainFlag("--time-limit", List.of(), Kind.VALUE),
            new TrainFlag("--elastic", List.of(), Kind.SWITCH),
            new TrainFlag("--probe-interval", List.of(), Kind.VALUE),
            new TrainFlag("--probe-duration", List.of(), Kind.VALUE),
            new TrainFlag("--probe-window", List.of(), Kind.VALUE),
            new TrainFlag("--tail-amplitude", List.of(), Kind.VALUE),
            new TrainFlag("--staleness-model", List.of(), Kind.VALUE),
            new TrainFlag("--pin", List.of(), Kind.LIST_VALUE),
            new TrainFlag("--data-dir", List.of(), Kind.VALUE),
            new TrainFlag("--momentum", List.of(), Kind.VALUE),
            new TrainFlag("--input-scale", List.of(), Kind.VALUE),
            new TrainFlag("--init-std", List.of(), Kind.VALUE),
            new TrainFlag("--out", List.of(), Kind.FORBIDDEN),
            new TrainFlag("--checkpoint", List.of(), Kind.FORBIDDEN),
            new TrainFlag("--checkpoint-every", List.of(), Kind.FORBIDDEN),
            new TrainFlag("--resume", List.of(), Kind.FORBIDDEN));

    /** Looks a spelling up (long name or alias). */
    public static Optional<TrainFlag> find(String spelling) {
        return ALL.stream().filter(f -> f.longName.equals(spelling) || f.aliases.contains(spelling)).findFirst();
    }

    /** Grid separator for this flag's values. */
    public String gridSeparator() {
        return kind == Kind.LIST_VALUE ? ";" : ",";
    }

    /** Short key for run ids and labels: the long name without dashes. */
    public String key() {
        return longName.substring(2);
    }

    /** Why a forbidden flag is refused. */
    public String forbiddenReason() {
        return switch (longName) {
            case "--out" -> "the sweep names each run's result file itself (DIR/<run-id>.json); use --out-dir";
            default -> "checkpoint files would be shared by every run of the grid; checkpoint single runs with train";
        };
    }
}
