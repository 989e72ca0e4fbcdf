package chainkm.gateway.abci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough TOML editing for tests: replaces {@code key = value} lines of a given
 * section in a file CometBFT generated, keeping everything else as it was.
 */
final class TomlFile {

    private final Path file;
    private final List<String> lines;

    private TomlFile(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    static TomlFile load(Path file) throws IOException {
        return new TomlFile(file, new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)));
    }

    /**
     * Sets an existing key; {@code section} is the table name without brackets, "" for the
     * top level. {@code rawValue} is written as is, so strings carry their quotes.
     */
    void set(String section, String key, String rawValue) {
        String current = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("[") && line.endsWith("]")) {
                current = line.substring(1, line.length() - 1).strip();
            } else if (current.equals(section) && line.matches("^" + key + "\\s*=.*")) {
                lines.set(i, key + " = " + rawValue);
                return;
            }
        }
        throw new IllegalArgumentException("no key " + key + " in section [" + section + "] of " + file);
    }

    void save() throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
