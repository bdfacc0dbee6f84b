package org.leashed.memory;

/**
 * jcstress-only bridge to the package-private {@link SlotStack} (split package on the class path, see
 * {@code org.leashed.kernel.algo.internal.RoundBarrierAccess}); memory needs no visibility change.
 * Forwards only; adds no ordering.
 */
public final class SlotStackAccess {
    private final SlotStack stack;

    public SlotStackAccess(int capacity) {
        this.stack = new SlotStack(capacity);
    }

    public void push(int slot) {
        stack.push(slot);
    }

    /** A slot, or -1 when empty. */
    public int pop() {
        return stack.pop();
    }
}
