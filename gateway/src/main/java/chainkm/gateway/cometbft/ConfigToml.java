package chainkm.gateway.cometbft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Line-oriented editor for the config.toml that {@code cometbft init} writes: it replaces the
 * value of keys that already exist in a given [section], keeping every comment and every other
 * line as they are. A key that is missing, or present twice in its section, is an error: the
 * file is not the one we expect, and guessing would start a validator with a wrong setting.
 */
final class ConfigToml {

    private static final Pattern SECTION = Pattern.compile("^\\s*\\[([A-Za-z0-9_.\\-]+)]\\s*(#.*)?$");
    private static final Pattern KEY = Pattern.compile("^\\s*([A-Za-z0-9_\\-]+)\\s*=.*$");

    private final List<String> lines;

    private ConfigToml(List<String> lines) {
        this.lines = new ArrayList<>(lines);
    }

    static ConfigToml parse(String text) {
        return new ConfigToml(text.lines().toList());
    }

    static ConfigToml load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    String text() {
        return String.join("\n", lines) + "\n";
    }

    /** Sets a string value (TOML basic string, escaped). Section "" is the top level. */
    ConfigToml setString(String section, String key, String value) {
        return setRaw(section, key, quote(value));
    }

    ConfigToml setBoolean(String section, String key, boolean value) {
        return setRaw(section, key, Boolean.toString(value));
    }

    /**
     * Replaces the line holding {@code key} in {@code section} by {@code key = rawValue}.
     *
     * @throws IllegalStateException if the key is not in that section exactly once
     */
    ConfigToml setRaw(String section, String key, String rawValue) {
        int found = -1;
        String current = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                current = s.group(1);
                continue;
            }
            if (!current.equals(section)) {
                continue;
            }
            Matcher k = KEY.matcher(line);
            if (k.matches() && k.group(1).equals(key)) {
                if (found >= 0) {
                    throw new IllegalStateException("config.toml: key '" + key + "' appears twice in " + where(section)
                            + " (lines " + (found + 1) + " and " + (i + 1) + ")");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalStateException("config.toml: key '" + key + "' not found in " + where(section)
                    + "; is this a config.toml written by cometbft v0.38 init?");
        }
        lines.set(found, key + " = " + rawValue);
        return this;
    }

    /** The raw value text of a key, for tests and checks; the key must exist once. */
    String getRaw(String section, String key) {
        String current = "";
        String value = null;
        for (String line : lines) {
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                current = s.group(1);
                continue;
            }
            Matcher k = KEY.matcher(line);
            if (current.equals(section) && k.matches() && k.group(1).equals(key)) {
                if (value != null) {
                    throw new IllegalStateException("config.toml: key '" + key + "' appears twice in " + where(section));
                }
                value = line.substring(line.indexOf('=') + 1).trim();
            }
        }
        if (value == null) {
            throw new IllegalStateException("config.toml: key '" + key + "' not found in " + where(section));
        }
        return value;
    }

    private static String where(String section) {
        return section.isEmpty() ? "the top level" : "[" + section + "]";
    }

    /** A TOML basic string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
