package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the batch CSV: charsets as spreadsheets write them, quoting, headers, hosts. */
class BatchCsvTest {
    private static final StoreSpec OLD = StoreSpec.server("imaps://old.example", "imaps");
    private static final StoreSpec NEW = StoreSpec.server("new.example:1993", "imaps");

    @Test
    void utf8WithBomIsReadWithoutTheBom(@TempDir Path dir) throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "jürgen,pässwort,jürgen,neu\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(text, 0, all, 3, text.length);
        Path file = Files.write(dir.resolve("a.csv"), all);

        List<BatchFile.Account> accounts = BatchFile.parse(BatchFile.read(file, null), OLD, NEW);

        assertThat(accounts).hasSize(1);
        assertThat(accounts.get(0).source().user()).isEqualTo("jürgen");
        assertThat(new String(accounts.get(0).sourcePassword())).isEqualTo("pässwort");
    }

    @Test
    void windows1252IsDetectedWhenTheBytesAreNotUtf8(@TempDir Path dir) throws Exception {
        Path file = Files.write(
                dir.resolve("a.csv"), "jürgen;pässwort€;jürgen;neu\r\n".getBytes(Charset.forName("windows-1252")));

        List<BatchFile.Account> accounts = BatchFile.parse(BatchFile.read(file, null), OLD, NEW);

        assertThat(new String(accounts.get(0).sourcePassword())).isEqualTo("pässwort€");
    }

    @Test
    void aGivenCharsetWins(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("a.csv"), "jürgen,p,j,n\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(BatchFile.read(file, StandardCharsets.ISO_8859_1)).startsWith("jürgen");
    }

    @Test
    void quotedFieldsHeadersCommentsAndPerLineHosts() {
        String text = "source_user,source_password,target_user,target_password,source_host,target_host\n"
                + "# migrated in the second wave\n"
                + "\n"
                + "anna@old.example,\"pa,ss\"\"word\",anna@new.example,x,imap://other.example:143,\n";

        List<BatchFile.Account> accounts = BatchFile.parse(text, OLD, NEW);

        assertThat(accounts).hasSize(1);
        BatchFile.Account a = accounts.get(0);
        assertThat(a.line()).isEqualTo(4);
        assertThat(new String(a.sourcePassword())).isEqualTo("pa,ss\"word");
        assertThat(a.source().canonical()).isEqualTo("imap://anna%40old.example@other.example:143");
        assertThat(a.target().canonical()).isEqualTo("imaps://anna%40new.example@new.example:1993");
        assertThat(a.toString()).doesNotContain("pa,ss");
    }

    @Test
    void aLineWithoutAHostAndNoDefaultIsAUsageError() {
        assertThatThrownBy(() -> BatchFile.parse("a,b,c,d\n", null, NEW))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("line 1: no source host");
        assertThatThrownBy(() -> BatchFile.parse("a,b,c\n", OLD, NEW))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("expected 4 to 6 fields");
    }

    @Test
    void aSemicolonFileWithACommaInAnUnquotedPasswordIsReadAsExcelWritesIt() {
        // Excel quotes only fields holding its own separator: a comma stays unquoted in a
        // semicolon file, and must not make the file read as comma separated.
        List<BatchFile.Account> accounts =
                BatchFile.parse("bernd;pa,ss;bernd;neu,pw\r\ncarla;\"x;y\";carla;z\r\n", OLD, NEW);

        assertThat(accounts).hasSize(2);
        assertThat(new String(accounts.get(0).sourcePassword())).isEqualTo("pa,ss");
        assertThat(new String(accounts.get(0).targetPassword())).isEqualTo("neu,pw");
        assertThat(new String(accounts.get(1).sourcePassword())).isEqualTo("x;y");
    }

    @Test
    void aQuotedFieldMaySpanLinesAndLaterLinesKeepTheirNumbers() {
        String text = "user,password,user,password,source host,target host\n"
                + "anna,\"pa\r\nss\",anna,x\n"
                + "bernd,pw,bernd,pw2\n"
                + "carla,pw,carla,pw2,bad!host\n";

        assertThatThrownBy(() -> BatchFile.parse(text, OLD, NEW))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("line 5, column 5 (source host)");
        List<BatchFile.Account> accounts = BatchFile.parse(text.substring(0, text.indexOf("carla")), OLD, NEW);
        assertThat(accounts).extracting(BatchFile.Account::line).containsExactly(2, 4);
        assertThat(new String(accounts.get(0).sourcePassword())).isEqualTo("pa\r\nss");
    }

    @Test
    void malformedQuotingIsRefusedByLineWithoutTheField() {
        // Text after a closing quote was read as part of the field; now refused, not guessed at.
        assertThatThrownBy(() -> BatchFile.parse("a,b,c,d\nanna,\"se\"cret,anna,x\n", OLD, NEW))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("line 2: a quoted field goes on after its closing quote")
                .hasMessageNotContaining("cret");
        assertThatThrownBy(() -> BatchFile.parse("a,b,c,d\nanna,\"secret,anna,x\nb,c,d,e\n", OLD, NEW))
                .isInstanceOf(UsageException.class)
                .hasMessage("line 2: a quoted field is not closed");
    }

    @Test
    void sizesAndDates() {
        assertThat(OptionTypes.parseSize("25M")).isEqualTo(25L << 20);
        assertThat(OptionTypes.parseSize("512k")).isEqualTo(512L << 10);
        assertThat(OptionTypes.parseSize("1GB")).isEqualTo(1L << 30);
        assertThat(OptionTypes.parseSize("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> OptionTypes.parseSize("lots")).isInstanceOf(UsageException.class);
    }
}
