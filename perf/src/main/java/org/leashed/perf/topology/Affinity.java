package org.leashed.perf.topology;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * Thread CPU affinity through libc's {@code sched_setaffinity}/{@code sched_getaffinity}, called with the
 * FFM API (no native build step). pid 0 addresses the calling thread, so these methods affect and
 * report only the thread that calls them. Linux only; elsewhere {@link #isSupported()} is false and the
 * methods throw {@link UnsupportedOperationException}.
 *
 * <p>Masks are {@code cpu_set_t}-shaped bit arrays of unsigned longs in native byte order, allocated
 * per call in a confined arena (pinning happens once per worker, off the hot path). The first attempt
 * uses 1024 bits, the glibc {@code CPU_SETSIZE}; {@code sched_getaffinity} fails with EINVAL when the
 * kernel has more possible CPUs, and the size is then doubled.
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED} (set for every leashed JVM) to call
 * these without a warning.
 */
public final class Affinity {
    private static final int EINVAL = 22;
    private static final int INITIAL_MASK_BYTES = 128;
    private static final int MAX_MASK_BYTES = 1 << 16;

    private Affinity() {
    }

    /** Whether affinity calls are available (Linux with the two libc symbols). */
    public static boolean isSupported() {
        return Native.SET != null;
    }

    /**
     * Restricts the calling thread to one CPU.
     *
     * @throws IllegalArgumentException if {@code cpu} is negative or above {@link CpuList#MAX_CPU}
     * @throws IllegalStateException    if the kernel refuses (e.g. the CPU is offline or outside this
     *                                  process' cpuset), naming the CPU and errno
     */
    public static void pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu > CpuList.MAX_CPU) {
            throw new IllegalArgumentException("cpu must be in 0.." + CpuList.MAX_CPU + ", was " + cpu);
        }
        final BitSet mask = new BitSet();
        mask.set(cpu);
        setCurrentThreadCpus(mask);
    }

    /**
     * Restricts the calling thread to a set of CPUs.
     *
     * @throws IllegalArgumentException if {@code cpus} is empty
     * @throws IllegalStateException    if the kernel refuses, naming the CPUs and errno
     */
    public static void setCurrentThreadCpus(BitSet cpus) {
        requireSupported();
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("CPU set must not be empty");
        }
        final int bytes = Math.max(INITIAL_MASK_BYTES, ((cpus.length() + 63) / 64) * 8);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(bytes, 8);
            final long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length; i++) {
                mask.setAtIndex(ValueLayout.JAVA_LONG, i, words[i]);
            }
            final MemorySegment state = arena.allocate(Native.CAPTURE_LAYOUT);
            final int rc = (int) Native.SET.invokeExact(state, 0, (long) bytes, mask);
            if (rc != 0) {
                final int errno = (int) Native.ERRNO.get(state, 0L);
                throw new IllegalStateException("sched_setaffinity(" + CpuList.format(cpus) + ") failed with errno "
                        + errno + (errno == EINVAL ? " (EINVAL: no listed CPU is online and allowed for this process)" : ""));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity downcall failed", t);
        }
    }

    /**
     * The calling thread's current affinity mask.
     *
     * @throws IllegalStateException if the kernel call fails, naming errno
     */
    public static BitSet currentThreadCpus() {
        requireSupported();
        for (int bytes = INITIAL_MASK_BYTES; bytes <= MAX_MASK_BYTES; bytes *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment mask = arena.allocate(bytes, 8);
                final MemorySegment state = arena.allocate(Native.CAPTURE_LAYOUT);
                final int rc = (int) Native.GET.invokeExact(state, 0, (long) bytes, mask);
                if (rc >= 0) {
                    // The raw syscall returns the number of bytes it wrote; glibc returns 0 and zero-fills.
                    return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
                }
                final int errno = (int) Native.ERRNO.get(state, 0L);
                if (errno != EINVAL) {
                    throw new IllegalStateException("sched_getaffinity failed with errno " + errno);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("sched_getaffinity downcall failed", t);
            }
        }
        throw new IllegalStateException("sched_getaffinity kept failing with EINVAL up to a "
                + MAX_MASK_BYTES + "-byte mask");
    }

    private static void requireSupported() {
        if (!isSupported()) {
            throw new UnsupportedOperationException("thread affinity needs Linux (sched_setaffinity in libc); "
                    + "this is " + System.getProperty("os.name") + ": " + Native.UNAVAILABLE_REASON);
        }
    }

    /** Downcall handles, looked up once (holder idiom); null with a reason when unavailable. */
    private static final class Native {
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SET;
        static final MethodHandle GET;
        static final String UNAVAILABLE_REASON;

        static {
            MethodHandle set = null;
            MethodHandle get = null;
            String reason = "available";
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                reason = "not Linux";
            } else {
                final Linker linker = Linker.nativeLinker();
                // int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); same shape for get.
                final FunctionDescriptor descriptor = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
                final Linker.Option errno = Linker.Option.captureCallState("errno");
                final var setSymbol = linker.defaultLookup().find("sched_setaffinity");
                final var getSymbol = linker.defaultLookup().find("sched_getaffinity");
                if (setSymbol.isPresent() && getSymbol.isPresent()) {
                    set = linker.downcallHandle(setSymbol.get(), descriptor, errno);
                    get = linker.downcallHandle(getSymbol.get(), descriptor, errno);
                } else {
                    reason = "libc has no sched_setaffinity/sched_getaffinity";
                }
            }
            SET = set;
            GET = get;
            UNAVAILABLE_REASON = reason;
        }
    }
}
