package org.leashed.perf.report;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.svg.SVGGraphics2D;

/**
 * Renders a {@link Figure} to PNG (raster, for slides) and SVG (vector, embedded in the HTML), each
 * written atomically. Needs a headless AWT ({@code java.awt.headless=true}); no display is used.
 */
public final class FigureWriter {
    private FigureWriter() {
    }

    /** The bytes of both renderings. */
    public record Rendered(byte[] png, byte[] svg) {
    }

    /** Renders without writing. */
    public static Rendered render(Figure figure) {
        final BufferedImage image = figure.chart().createBufferedImage(figure.width(), figure.height());
        final ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", png)) {
                throw new IllegalStateException("no PNG writer available in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + figure.name() + ".png", e);
        }
        final SVGGraphics2D svg = new SVGGraphics2D(figure.width(), figure.height());
        // A per-figure prefix keeps clip-path and gradient ids unique if several SVGs share one page.
        svg.setDefsKeyPrefix(figure.name() + "-");
        figure.chart().draw(svg, new Rectangle(0, 0, figure.width(), figure.height()));
        return new Rendered(png.toByteArray(), svg.getSVGDocument().getBytes(StandardCharsets.UTF_8));
    }

    /** Renders and writes {@code dir/name.png} and {@code dir/name.svg}. */
    public static Rendered write(Figure figure, Path dir) {
        final Rendered rendered = render(figure);
        AtomicFiles.write(dir.resolve(figure.name() + ".png"), rendered.png());
        AtomicFiles.write(dir.resolve(figure.name() + ".svg"), rendered.svg());
        return rendered;
    }
}
