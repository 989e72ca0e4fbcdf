package chainkm.protocol.groupkey;

/** A group's name G: 1 to 255 printable ASCII characters without spaces, for instance {@code kitchen-1/temperature}. */
final class GroupName {
    static final int MAX_LENGTH = 255;

    private GroupName() {}

    static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        return name.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }

    static String check(String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException("a group name is 1 to " + MAX_LENGTH + " printable ASCII characters without spaces");
        }
        return name;
    }
}
