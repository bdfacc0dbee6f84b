package org.leashed.concurrency.memory;

import org.leashed.memory.SlotStackAccess;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress suite for the pool's free-slot Treiber stack ({@code org.leashed.memory.SlotStack}, reached
 * through the jcstress-only bridge {@link SlotStackAccess}). {@link LatestVectorTests} exercises it only
 * indirectly (one publisher allocating, reclaimers freeing); here two threads pop and recycle the same
 * slots directly, in the classic ABA shape: the stack holds 0 → 1 → 2; a popper reads top 0 and its
 * successor 1, while a recycler pops 0, pops 1 and pushes 0 back. The popper's CAS must then fail (the
 * head is 0 again, but with a newer tag), or it would install 1, which the recycler owns.
 *
 * <p>Happens-before chain under test: a pusher's opaque store of {@code next[slot]} → its CAS of the head
 * (volatile) → a popper's volatile load of that head → its opaque load of {@code next[top]}; the tag in
 * the head word makes every successful CAS unique, so a CAS that succeeds proves nothing was pushed or
 * popped since the head (and hence the successor) was read.
 *
 * <p>Run (production flags): {@code concurrency-tests/jcstress.sh ci -t SlotStackTests}
 */
public final class SlotStackTests {
    private SlotStackTests() {
    }

    static final int SLOTS = 3;

    /** 1 if the slots held by the actors plus the slots left on the stack are exactly 0..SLOTS-1, each once. */
    static int exactlyOnce(int heldA, int heldB, java.util.function.IntSupplier pop) {
        int seen = 0;
        int count = 0;
        int[] held = {heldA, heldB};
        for (int slot : held) {
            if (slot < 0 || slot >= SLOTS || (seen & (1 << slot)) != 0) {
                return 0;
            }
            seen |= 1 << slot;
            count++;
        }
        for (int i = 0; i <= SLOTS; i++) { // bounded: a corrupted stack may hold a cycle
            int slot = pop.getAsInt();
            if (slot < 0) {
                break;
            }
            if (slot >= SLOTS || (seen & (1 << slot)) != 0) {
                return 0;
            }
            seen |= 1 << slot;
            count++;
        }
        return count == SLOTS ? 1 : 0;
    }

    /**
     * No ABA, nothing lost or duplicated: r1 the popper's slot, r2 the slot the recycler keeps (its second
     * pop; its first goes back), r3 1 if held + stacked slots are exactly {0, 1, 2} (@Arbiter).
     */
    @JCStressTest
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = "popper first: took 0; recycler took 1 and 2, gave 1 back")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "recycler first (or the popper retried after the recycle): popper took the re-pushed 0")
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "popper between the recycler's pops: took 1")
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "popper after both of the recycler's pops: took 2")
    @Outcome(expect = FORBIDDEN, desc = "ABA: a slot held twice or lost, or a stack cycle (r3 = 0), or an impossible pop")
    @State
    public static class NoAbaUnderRecycling {
        final SlotStackAccess stack = new SlotStackAccess(SLOTS);

        public NoAbaUnderRecycling() {
            stack.push(2);
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void popper(III_Result r) {
            r.r1 = stack.pop();
        }

        @Actor
        public void recycler(III_Result r) {
            int first = stack.pop();
            r.r2 = stack.pop();
            stack.push(first);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = exactlyOnce(r.r1, r.r2, stack::pop);
        }
    }

    /**
     * Broken twin: the same stack with an untagged head (slot + 1 only). The popper waits between reading
     * the successor and its CAS (widening the window that jcstress on two cores rarely hits otherwise);
     * the wait changes timing only, never the outcome of the correct stack.
     */
    @JCStressTest
    @Outcome(id = {"0, 2, 1", "0, 1, 1", "1, 2, 1", "2, 1, 1"}, expect = ACCEPTABLE, desc = "the recycle did not fall into the popper's window")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "ABA caught: the popper's untagged CAS matched the re-pushed 0 and installed 1, which the recycler holds")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by one ABA")
    @State
    public static class NoAbaBrokenUntagged {
        final UntaggedStack stack = new UntaggedStack(SLOTS);

        public NoAbaBrokenUntagged() {
            stack.push(2);
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void popper(III_Result r) {
            r.r1 = stack.pop(UntaggedStack.WINDOW_SPINS);
        }

        @Actor
        public void recycler(III_Result r) {
            int first = stack.pop(0);
            r.r2 = stack.pop(0);
            stack.push(first);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = exactlyOnce(r.r1, r.r2, () -> stack.pop(0));
        }
    }

    /** SlotStack with the tag removed (the bug), plus a spin between reading the successor and the CAS. */
    static final class UntaggedStack {
        static final int WINDOW_SPINS = 64;
        private static final VarHandle HEAD;
        private static final VarHandle NEXT = MethodHandles.arrayElementVarHandle(int[].class);

        static {
            try {
                HEAD = MethodHandles.lookup().findVarHandle(UntaggedStack.class, "head", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final int[] next;
        @SuppressWarnings("unused") // accessed through HEAD
        private volatile long head;

        UntaggedStack(int capacity) {
            this.next = new int[capacity];
        }

        void push(int slot) {
            for (;;) {
                long h = (long) HEAD.getVolatile(this);
                NEXT.setOpaque(next, slot, (int) h);
                if (HEAD.compareAndSet(this, h, slot + 1L)) { // BUG: no tag
                    return;
                }
            }
        }

        int pop(int windowSpins) {
            for (;;) {
                long h = (long) HEAD.getVolatile(this);
                int top = (int) h;
                if (top == 0) {
                    return -1;
                }
                int successor = (int) NEXT.getOpaque(next, top - 1);
                for (int i = 0; i < windowSpins; i++) {
                    Thread.onSpinWait(); // widens the ABA window
                }
                if (HEAD.compareAndSet(this, h, successor & 0xFFFF_FFFFL)) { // BUG: no tag
                    return top - 1;
                }
            }
        }
    }
}
