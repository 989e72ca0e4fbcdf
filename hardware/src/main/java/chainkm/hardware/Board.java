package chainkm.hardware;

import chainkm.device.agent.StoreKeySource;
import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board the agent runs on: a Pi4J context with the Raspberry Pi's providers (GPIO through
 * the kernel's character device, {@code /dev/gpiochip*}, with libgpiod; I2C through
 * {@code /dev/i2c-N}) when the device tree names a Raspberry Pi, and Pi4J's mock providers
 * everywhere else (a laptop, CI, tests): the same agent code runs on both.
 */
public final class Board implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Board.class);
    static final String PI_MODEL_PREFIX = "Raspberry Pi";

    private final Context pi4j;
    private final boolean mock;
    private final String description;
    private final Optional<String> model;

    private Board(Context pi4j, boolean mock, String description, Optional<String> model) {
        this.pi4j = pi4j;
        this.mock = mock;
        this.description = description;
        this.model = model;
    }

    /**
     * Opens the board: {@code kind} {@code pi}, {@code mock} or {@code auto} (a Pi if
     * {@code modelFile}, normally {@code /proc/device-tree/model}, starts with "Raspberry Pi").
     */
    public static Board open(String kind, Path modelFile) {
        Optional<String> model = model(modelFile);
        boolean pi = switch (kind) {
            case "pi" -> true;
            case "mock" -> false;
            case "auto" -> model.filter(m -> m.startsWith(PI_MODEL_PREFIX)).isPresent();
            default -> throw new IllegalArgumentException("board must be auto, pi or mock: " + kind);
        };
        Board board;
        if (pi) {
            Context ctx = Pi4J.newContextBuilder().noAutoDetect()
                    .add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance(),
                            LinuxFsI2CProvider.newInstance())
                    .build();
            board = new Board(ctx, false, model.orElse("a Raspberry Pi (board=pi)") + " (Pi4J: gpiod, linuxfs I2C)", model);
        } else {
            Context ctx = mockContext();
            String why = kind.equals("mock") ? "board=mock"
                    : model.map(m -> "not a Raspberry Pi: " + m).orElse("no " + modelFile);
            board = new Board(ctx, true, "mock board (Pi4J mock plugin; " + why + ")", model);
        }
        LOG.info("board: {}", board.description);
        return board;
    }

    /** A Pi4J context with the mock providers only. */
    static Context mockContext() {
        return Pi4J.newContextBuilder().noAutoDetect()
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockI2CProvider.newInstance())
                .build();
    }

    /** Wraps an existing context (tests). */
    static Board of(Context pi4j, boolean mock) {
        return new Board(pi4j, mock, mock ? "mock board" : "board", Optional.empty());
    }

    static Board of(Context pi4j, boolean mock, String model) {
        return new Board(pi4j, mock, mock ? "mock board" : model, Optional.of(model));
    }

    /**
     * Where the key store's key comes from on this board: sealed with the OTP private key on a
     * real Raspberry Pi 4 or 5 whose {@code rpi-otp-private-key} is on {@code searchPath} (a PATH
     * value); a plain key file elsewhere and on the mock board (with a warning at start).
     */
    public StoreKeySource storeKeySource(String searchPath) {
        if (mock || model.filter(OtpStoreKey::supports).isEmpty()) {
            return StoreKeySource.plainFile();
        }
        Optional<OtpStoreKey> otp = OtpStoreKey.find(searchPath);
        if (otp.isEmpty()) {
            LOG.warn("{} has an OTP private key but {} is not on the PATH: the key store key stays a plain file",
                    model.get(), OtpStoreKey.COMMAND);
            return StoreKeySource.plainFile();
        }
        return otp.get();
    }

    private static Optional<String> model(Path modelFile) {
        try {
            // the device tree's strings end with NUL
            String text = new String(Files.readAllBytes(modelFile), StandardCharsets.US_ASCII);
            return Optional.of(text.replace("\0", "").trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public boolean isMock() {
        return mock;
    }

    public String description() {
        return description;
    }

    public Context pi4j() {
        return pi4j;
    }

    /** An output on BCM pin {@code bcm}, low at start and at shutdown. */
    public DigitalOutput output(String id, int bcm) {
        return pi4j.create(DigitalOutput.newConfigBuilder(pi4j).id(id).address(bcm)
                .initial(DigitalState.LOW).shutdown(DigitalState.LOW));
    }

    /** An input on BCM pin {@code bcm}, pulled up if the button is active low (to ground), else down. */
    public DigitalInput input(String id, int bcm, boolean activeLow) {
        return pi4j.create(DigitalInput.newConfigBuilder(pi4j).id(id).address(bcm)
                .pull(activeLow ? PullResistance.PULL_UP : PullResistance.PULL_DOWN)
                .debounce(10_000L)); // microseconds
    }

    /** I2C device {@code address} on bus {@code bus}. */
    public I2C i2c(String id, int bus, int address) {
        return pi4j.create(I2C.newConfigBuilder(pi4j).id(id).bus(bus).device(address));
    }

    @Override
    public void close() {
        try {
            pi4j.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("board shutdown: {}", e.toString());
        }
    }
}
