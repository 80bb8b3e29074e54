package org.mailsync.status.testing;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * Reads the status page as a browser shows it, for the browser tests of the page itself and of
 * {@code mailsync cluster serve}: the progress bars, the state counts, a failure's row.
 *
 * <p>Thread-safe (stateless); the browser given is not.
 */
public final class StatusPage {
    private StatusPage() {}

    /** Account → {value, max} of its progress bar, read in one script (the rows are redrawn each second). */
    @SuppressWarnings("unchecked")
    public static Map<String, long[]> progress(JavascriptExecutor browser) {
        List<List<Object>> rows = (List<List<Object>>)
                browser.executeScript("return [...document.querySelectorAll('#running tbody tr[data-account]')]"
                        + ".map(tr => [tr.dataset.account, tr.querySelector('progress').value,"
                        + " tr.querySelector('progress').max])");
        Map<String, long[]> result = new HashMap<>();
        for (List<Object> r : rows) {
            result.put(
                    (String) r.get(0), new long[] {((Number) r.get(1)).longValue(), ((Number) r.get(2)).longValue()});
        }
        return result;
    }

    /** State → the count its card shows. */
    @SuppressWarnings("unchecked")
    public static Map<String, Long> states(JavascriptExecutor browser) {
        List<List<Object>> cards = (List<List<Object>>)
                browser.executeScript("return [...document.querySelectorAll('#states .state[data-state]')]"
                        + ".map(d => [d.dataset.state, d.querySelector('.n').textContent])");
        Map<String, Long> result = new HashMap<>();
        for (List<Object> c : cards) {
            result.put((String) c.get(0), Long.parseLong(((String) c.get(1)).replace(",", "")));
        }
        return Collections.unmodifiableMap(result);
    }

    /** The row of {@code account} in the failures table. */
    public static By failureRow(String account) {
        return By.xpath("//table[@id='failures']/tbody/tr[@data-account='" + account + "']");
    }
}
