package org.mailsync.examples.cli;

import org.jspecify.annotations.Nullable;
import org.mailsync.imap.ProviderPreset;
import picocli.CommandLine.Option;

/**
 * Provider presets per side ({@code --preset gmail}, {@code --target-preset office365}): what
 * mailsync knows of Gmail's and Microsoft 365's IMAP (see {@link ProviderPreset}). A picocli mixin.
 *
 * <p>Not thread-safe while picocli fills it; read-only afterwards.
 */
final class PresetOptions {
    @Option(
            names = "--preset",
            paramLabel = "P",
            converter = PresetConverter.class,
            description = "the source is at provider P: gmail (virtual folders such as All Mail left out and"
                    + " named in the report, [Gmail]/ folders mapped) or office365 (localized folder names,"
                    + " XOAUTH2, its throttling)")
    @Nullable
    ProviderPreset source;

    @Option(
            names = "--target-preset",
            paramLabel = "P",
            converter = PresetConverter.class,
            description = "the same for the target (office365: messages over 150 MB are failed messages)")
    @Nullable
    ProviderPreset target;

    /** The preset of one side, or null. */
    @Nullable
    ProviderPreset of(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** A preset by its name, in any case. */
    static ProviderPreset preset(String value) {
        return ProviderPreset.byId(value)
                .orElseThrow(() -> new UsageException("unknown preset (use gmail or office365)"));
    }

    /** Reads a preset's name, in any case. */
    static final class PresetConverter implements picocli.CommandLine.ITypeConverter<ProviderPreset> {
        @Override
        public ProviderPreset convert(String value) {
            return preset(value);
        }
    }
}
