package org.leashed.perf.results;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the running leashed build (Maven-filtered into {@code leashed-version.properties}). */
public final class LeashedVersion {
    private static final String RESOURCE = "/leashed-version.properties";

    private LeashedVersion() {
    }

    /** E.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when the resource is missing or unfiltered. */
    public static String get() {
        try (InputStream in = LeashedVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
