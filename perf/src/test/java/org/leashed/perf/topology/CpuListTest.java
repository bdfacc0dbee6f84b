package org.leashed.perf.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuListTest {
    @Test
    void shouldParseSinglesAndRangesWhenListIsWellFormed() {
        final BitSet cpus = CpuList.parse("0,2,4-7");
        assertEquals("{0, 2, 4, 5, 6, 7}", cpus.toString());
        assertEquals("0,2,4-7", CpuList.format(cpus));
        assertEquals("3", CpuList.format(CpuList.parse(" 3 ")));
        assertEquals("0-3", CpuList.format(CpuList.parse("0-1, 2-3")));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {7, 1, 4, 5}, CpuList.parseOrdered("7,1,4-5"));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''         | empty",
        "'1,,2'     | empty element",
        "'3-1'      | reversed",
        "'a'        | not a CPU number",
        "'1-'       | not a CPU number",
        "'-1'       | not a CPU number",
        "'0,0'      | twice",
        "'0-3,2'    | twice",
        "'70000'    | exceeds",
        "'1.5'      | not a CPU number",
    })
    void shouldRejectWithReasonWhenListIsMalformed(String text, String reason) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void shouldParsePolicyKeywordsAndListsWhenFlagValueIsGiven() {
        assertSame(PinningPolicy.None.INSTANCE, PinningPolicy.parse("none"));
        assertSame(PinningPolicy.Compact.INSTANCE, PinningPolicy.parse("COMPACT"));
        assertSame(PinningPolicy.Scatter.INSTANCE, PinningPolicy.parse(" scatter "));
        final PinningPolicy list = PinningPolicy.parse("0,2,4-7");
        assertInstanceOf(PinningPolicy.Explicit.class, list);
        assertEquals("0,2,4,5,6,7", list.spelling());
        assertEquals("3,1", PinningPolicy.parse("3,1").spelling());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinningPolicy.parse("sideways"));
        assertTrue(e.getMessage().contains("\"sideways\"") && e.getMessage().contains("compact"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PinningPolicy.parse("0,x"));
    }
}
