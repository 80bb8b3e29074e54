package org.mailsync.mbox;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.mailsync.FolderPath;

/**
 * What reading one mbox file found besides messages: how many Thunderbird-deleted messages
 * (X-Mozilla-Status bit 0x0008, expunged but not compacted) were left out, and the problems the
 * reader recovered from.
 *
 * @param folder the folder
 * @param thunderbirdDeletedLeftOut messages left out because Thunderbird marked them expunged (0
 *     when the store includes them)
 * @param problems damaged or unusual spots and what the reader did, in file order
 *     <p>Immutable.
 */
public record MboxScanReport(FolderPath folder, long thunderbirdDeletedLeftOut, List<MboxProblem> problems) {
    public MboxScanReport {
        problems = ImmutableList.copyOf(problems);
    }
}
