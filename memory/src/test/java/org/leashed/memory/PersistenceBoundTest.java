package org.leashed.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersistenceBoundTest {

    @Test
    void shouldAllowExactlyKFailuresWhenBounded() {
        PersistenceBound zero = PersistenceBound.of(0);
        assertTrue(zero.allows(0));
        assertFalse(zero.allows(1));
        PersistenceBound five = PersistenceBound.of(5);
        assertTrue(five.allows(5));
        assertFalse(five.allows(6));
        assertEquals(5, five.bound());
    }

    @Test
    void shouldAlwaysAllowWhenUnbounded() {
        PersistenceBound inf = PersistenceBound.unbounded();
        assertTrue(inf.allows(Integer.MAX_VALUE));
        assertTrue(inf.isUnbounded());
        assertThrows(IllegalStateException.class, inf::bound);
    }

    @Test
    void shouldParseCliSpellingsWhenValid() {
        assertSame(PersistenceBound.unbounded(), PersistenceBound.parse("inf"));
        assertSame(PersistenceBound.unbounded(), PersistenceBound.parse("Infinity"));
        assertEquals(PersistenceBound.of(7), PersistenceBound.parse(" 7 "));
        assertEquals("inf", PersistenceBound.unbounded().toString());
        assertEquals(PersistenceBound.of(12), PersistenceBound.parse(PersistenceBound.of(12).toString()));
    }

    @Test
    void shouldRejectWithMessageWhenInvalid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PersistenceBound.parse("many"));
        assertTrue(e.getMessage().contains("'many'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PersistenceBound.of(-1));
        assertThrows(IllegalArgumentException.class, () -> PersistenceBound.parse("-2"));
    }
}
