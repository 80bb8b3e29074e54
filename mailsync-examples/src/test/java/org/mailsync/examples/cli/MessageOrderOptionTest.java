package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.MessageOrder;
import org.mailsync.memory.InMemoryStore;
import picocli.CommandLine;

/** {@code --message-order} reaches the engine the CLI builds (issue 15: the order is a choice). */
class MessageOrderOptionTest {
    @TempDir
    Path checkpoints;

    private MessageOrder orderOf(String... args) throws Exception {
        RunOptions options = new RunOptions();
        new CommandLine(options).parseArgs(args);
        try (InMemoryStore source = InMemoryStore.create("a");
                InMemoryStore target = InMemoryStore.create("b")) {
            return options.plan(new MappingOptions(), 4, 64)
                    .engine(source, target, checkpoints)
                    .build()
                    .configuration()
                    .messageOrder();
        }
    }

    @Test
    void fastestIsTheDefaultAndSourceCanBeChosenInAnyCase() throws Exception {
        assertThat(orderOf()).isEqualTo(MessageOrder.FASTEST);
        assertThat(orderOf("--message-order", "source")).isEqualTo(MessageOrder.SOURCE);
        assertThat(orderOf("--message-order=SOURCE")).isEqualTo(MessageOrder.SOURCE);
        assertThat(orderOf("--message-order", "Fastest")).isEqualTo(MessageOrder.FASTEST);
    }

    @Test
    void anUnknownOrderIsAUsageError() {
        assertThatThrownBy(() -> orderOf("--message-order", "date"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("fastest or source");
    }
}
