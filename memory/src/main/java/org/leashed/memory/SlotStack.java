package org.leashed.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Lock-free LIFO stack of free slot indices (a Treiber stack over an int array). LIFO on purpose: the
 * slot freed last is the one most likely still in cache, so the next copy-and-update into it is warm.
 *
 * <p>The head word is {@code tag << 32 | (slot + 1)}, 0 meaning empty. Every successful push or pop
 * increments the tag, so a pop that read {@code next[top]} before another thread popped and re-pushed
 * {@code top} fails its CAS instead of installing a stale successor (the classic Treiber ABA).
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>next[slot]</td><td>setOpaque before the push CAS</td><td>getOpaque after reading head</td>
 *       <td>the push CAS (volatile) publishes it to the pop that reads head (volatile); a racy read by a
 *       pop whose CAS then fails is harmless, the tag rejects it.</td></tr>
 *   <tr><td>head</td><td>compareAndSet</td><td>getVolatile</td><td>total order of pushes and pops.</td></tr>
 * </table>
 */
final class SlotStack {
    private static final VarHandle HEAD;
    private static final VarHandle NEXT = MethodHandles.arrayElementVarHandle(int[].class);

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(SlotStack.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] next;
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head;

    SlotStack(int capacity) {
        this.next = new int[capacity];
    }

    void push(int slot) {
        final int[] next = this.next;
        for (;;) {
            long h = (long) HEAD.getVolatile(this);
            // opaque: published by the CAS below; only this thread writes next[slot] while it owns slot.
            NEXT.setOpaque(next, slot, (int) h);
            if (HEAD.compareAndSet(this, h, ((h >>> 32) + 1) << 32 | (slot + 1L))) {
                return;
            }
        }
    }

    /** Pops a slot, or returns -1 when empty. */
    int pop() {
        final int[] next = this.next;
        for (;;) {
            long h = (long) HEAD.getVolatile(this);
            int top = (int) h;
            if (top == 0) {
                return -1;
            }
            // opaque: may be stale if top was popped and re-pushed meanwhile; the tagged CAS then fails.
            int successor = (int) NEXT.getOpaque(next, top - 1);
            if (HEAD.compareAndSet(this, h, ((h >>> 32) + 1) << 32 | (successor & 0xFFFF_FFFFL))) {
                return top - 1;
            }
        }
    }
}
