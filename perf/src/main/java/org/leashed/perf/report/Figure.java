package org.leashed.perf.report;

import org.jfree.chart.JFreeChart;

/**
 * A chart ready to render, with what the HTML shows next to it.
 *
 * @param name    file stem: the figure is written as {@code name.png} and {@code name.svg}
 * @param caption one or two sentences on what the figure shows and how to read it
 * @param chart   the JFreeChart
 * @param width   pixels
 * @param height  pixels
 */
public record Figure(String name, String caption, JFreeChart chart, int width, int height) {
    /** Default figure size. */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 520;

    public Figure(String name, String caption, JFreeChart chart) {
        this(name, caption, chart, WIDTH, HEIGHT);
    }
}
