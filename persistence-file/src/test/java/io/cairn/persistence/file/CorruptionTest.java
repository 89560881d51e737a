package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.persistence.file.RecoveryReport.Kind;
import io.cairn.persistence.file.RecoveryReport.Problem;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged segment files: a torn tail and flipped bytes. The open succeeds, reports the damage, keeps every intact
 * record, and the store goes on working.
 */
class CorruptionTest {

    /** Retained messages of one exact size, so that record {@code i} starts at {@code i * RECORD}. */
    private static final int MESSAGES = 100;
    private static final int PAYLOAD = 500;
    /** header 9 + type 1 + topic (4 + 5) + payload (4 + 500) + flags 1 + no properties 1. */
    private static final int RECORD = 9 + 1 + 4 + 5 + 4 + PAYLOAD + 1 + 1;

    @TempDir
    Path dir;

    private static Message message(int i) {
        byte[] payload = new byte[PAYLOAD];
        java.util.Arrays.fill(payload, (byte) i);
        return Message.of(String.format("t/%03d", i), payload, QoS.AT_LEAST_ONCE, true);
    }

    private FileStoreSettings settings(long segmentBytes) {
        return FileStoreSettings.defaults(dir).withSegmentBytes(segmentBytes).withCompactionThreshold(0);
    }

    private void writeMessages(FileStoreSettings settings) throws Exception {
        try (FileStore store = FileStore.open(settings)) {
            for (int i = 0; i < MESSAGES; i++) {
                store.retained().put(message(i));
            }
        }
    }

    @Test
    @DisplayName("a tail cut mid-record is truncated at the last good record; the rest is there and writes go on")
    void truncatedTail() throws Exception {
        FileStoreSettings settings = settings(1 << 20);
        writeMessages(settings);
        Path segment = Samples.segments(dir).get(0);
        assertThat(Files.size(segment)).isEqualTo((long) MESSAGES * RECORD);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength((long) MESSAGES * RECORD - 50);
        }

        try (FileStore store = FileStore.open(settings)) {
            List<Problem> problems = store.recovery().problems();
            assertThat(problems).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(Kind.TRUNCATED_TAIL);
                assertThat(p.file()).isEqualTo(segment.toAbsolutePath());
                assertThat(p.offset()).isEqualTo((long) (MESSAGES - 1) * RECORD);
                assertThat(p.length()).isEqualTo(RECORD - 50);
            });
            assertThat(store.recovery().records()).isEqualTo(MESSAGES - 1);
            assertThat(Files.size(segment)).isEqualTo((long) (MESSAGES - 1) * RECORD);
            for (int i = 0; i < MESSAGES - 1; i++) {
                assertThat(store.retained().get(message(i).topic())).contains(message(i));
            }
            assertThat(store.retained().get(message(MESSAGES - 1).topic())).isEmpty();

            store.retained().put(message(MESSAGES - 1));
            store.retained().put(message(MESSAGES));
        }

        try (FileStore store = FileStore.open(settings)) {
            assertThat(store.recovery().clean()).as("problems %s", store.recovery().problems()).isTrue();
            assertThat(store.retained().size()).isEqualTo(MESSAGES + 1);
            for (int i = 0; i <= MESSAGES; i++) {
                assertThat(store.retained().get(message(i).topic())).contains(message(i));
            }
        }
    }

    @Test
    @DisplayName("flipped bytes in the middle of a segment are skipped up to the next good record; all else is kept")
    void flippedBytesInTheMiddle() throws Exception {
        // 10 records per segment: the damage sits in the middle of the first of several segments
        FileStoreSettings settings = settings(10L * RECORD);
        writeMessages(settings);
        List<Path> segments = Samples.segments(dir);
        assertThat(segments).hasSize(MESSAGES / 10);
        Path damaged = segments.get(0);
        int victim = 4;
        try (RandomAccessFile file = new RandomAccessFile(damaged.toFile(), "rw")) {
            long at = (long) victim * RECORD + 30;
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ 0x5A);
            file.seek(at + 1);
            file.write(0xCA);
        }

        try (FileStore store = FileStore.open(settings)) {
            assertThat(store.recovery().problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(Kind.SKIPPED_CORRUPT_RANGE);
                assertThat(p.file()).isEqualTo(damaged.toAbsolutePath());
                assertThat(p.offset()).isEqualTo((long) victim * RECORD);
                assertThat(p.length()).isEqualTo(RECORD);
            });
            assertThat(store.recovery().records()).isEqualTo(MESSAGES - 1);
            assertThat(store.recovery().segments()).isEqualTo(MESSAGES / 10);
            for (int i = 0; i < MESSAGES; i++) {
                if (i == victim) {
                    assertThat(store.retained().get(message(i).topic())).isEmpty();
                } else {
                    assertThat(store.retained().get(message(i).topic())).as("message %d", i).contains(message(i));
                }
            }
            store.retained().put(message(victim));
            store.retained().put(message(MESSAGES));
        }

        try (FileStore store = FileStore.open(settings)) {
            assertThat(store.recovery().problems()).as("the skipped range is still in the old segment")
                    .extracting(Problem::kind).containsExactly(Kind.SKIPPED_CORRUPT_RANGE);
            assertThat(store.retained().size()).isEqualTo(MESSAGES + 1);
            for (int i = 0; i <= MESSAGES; i++) {
                assertThat(store.retained().get(message(i).topic())).as("message %d", i).contains(message(i));
            }
        }
    }

    @Test
    @DisplayName("garbage appended after the last record (a torn write of zeros) is cut off")
    void zeroFilledTail() throws Exception {
        FileStoreSettings settings = settings(1 << 20);
        writeMessages(settings);
        Path segment = Samples.segments(dir).get(0);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength((long) MESSAGES * RECORD + 4096);
        }

        try (FileStore store = FileStore.open(settings)) {
            assertThat(store.recovery().problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(Kind.TRUNCATED_TAIL);
                assertThat(p.offset()).isEqualTo((long) MESSAGES * RECORD);
                assertThat(p.length()).isEqualTo(4096);
            });
            assertThat(store.retained().size()).isEqualTo(MESSAGES);
        }
    }
}
