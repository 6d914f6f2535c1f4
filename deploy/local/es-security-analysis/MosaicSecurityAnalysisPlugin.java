package io.mosaic.localdev;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * For the local secured test node only (deploy/local/elasticsearch.sh, MOSAIC_ES_SECURITY=tls): the three
 * analysis components the {@code .security} index's mapping names ({@code uax_url_email}, {@code pattern_capture},
 * {@code unique}), which the full distribution has in its analysis-common module and the integ-test-zip on Maven
 * Central lacks. Without them the node cannot create its security index, so it cannot store API keys, and
 * SecuredClusterIT could not authenticate Mosaic with one. Each wraps Lucene's own implementation (the
 * lucene-analysis-common jar is in the distribution's lib directory); nothing of Mosaic's runs here.
 */
public final class MosaicSecurityAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
                "pattern_capture", AnalysisPlugin.requiresAnalysisSettings((index, env, name, settings) -> new PatternCapture(name, settings)),
                "unique", (index, env, name, settings) -> new Unique(name, settings));
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", (index, env, name, settings) -> new UaxUrlEmail(index, settings, name));
    }

    static final class PatternCapture extends AbstractTokenFilterFactory {
        private final Pattern[] patterns;
        private final boolean preserveOriginal;

        PatternCapture(String name, Settings settings) {
            super(name, settings);
            List<String> list = settings.getAsList("patterns");
            if (list.isEmpty()) {
                throw new IllegalArgumentException("pattern_capture filter [" + name + "] needs [patterns]");
            }
            patterns = list.stream().map(Pattern::compile).toArray(Pattern[]::new);
            preserveOriginal = settings.getAsBoolean("preserve_original", true);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new PatternCaptureGroupTokenFilter(stream, preserveOriginal, patterns);
        }
    }

    /** Drops a token whose term was already seen in the stream, as the full distribution's {@code unique} filter does by default. */
    static final class Unique extends AbstractTokenFilterFactory {
        Unique(String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new TokenFilter(stream) {
                private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
                private final CharArraySet seen = new CharArraySet(8, false);

                @Override
                public boolean incrementToken() throws IOException {
                    while (input.incrementToken()) {
                        char[] copy = java.util.Arrays.copyOf(term.buffer(), term.length());
                        if (!seen.contains(copy, 0, copy.length)) {
                            seen.add(copy);
                            return true;
                        }
                    }
                    return false;
                }

                @Override
                public void reset() throws IOException {
                    super.reset();
                    seen.clear();
                }
            };
        }
    }

    static final class UaxUrlEmail extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        UaxUrlEmail(IndexSettings index, Settings settings, String name) {
            super(index, settings, name);
            maxTokenLength = settings.getAsInt("max_token_length", 255);
        }

        @Override
        public Tokenizer create() {
            UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
            tokenizer.setMaxTokenLength(maxTokenLength);
            return tokenizer;
        }
    }
}
