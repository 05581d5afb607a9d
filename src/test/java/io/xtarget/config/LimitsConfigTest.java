package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.IscsiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optional "limits" object: parsing, validation, writing back, and the fabric options it makes. */
class LimitsConfigTest {
    static final String ALL = """
            {"limits": {"sessionBuffer": "128M", "serverBuffer": "2G", "sendTimeoutSeconds": 20,
                        "nopIntervalSeconds": 10, "nopTimeoutSeconds": 5, "loginTimeoutSeconds": 15,
                        "workerThreads": 4}}""";

    @TempDir
    Path dir;

    @Test
    void parsesEveryField() {
        LimitsConfig l = ConfigParser.parse(ALL).limits();
        assertThat(l).isEqualTo(new LimitsConfig(128L << 20, 2L << 30, 20, 10, 5, 15, 4));
        assertThat(l.applyTo(IscsiServer.Options.defaults()))
                .isEqualTo(new IscsiServer.Options(4, 10, 5, 15, 20_000, 128L << 20, 2L << 30));
    }

    @Test
    void absentLimitsAndAbsentFieldsMeanTheDefaults() {
        IscsiServer.Options defaults = IscsiServer.Options.defaults();
        assertThat(ConfigParser.parse("{}").limits()).isNull();
        assertThat(ConfigParser.parse("{\"limits\": null}").limits()).isNull();
        assertThat(LimitsConfig.options(null, defaults)).isEqualTo(defaults);

        LimitsConfig empty = ConfigParser.parse("{\"limits\": {}}").limits();
        assertThat(empty).isEqualTo(LimitsConfig.NONE);
        assertThat(empty.applyTo(defaults)).isEqualTo(defaults);
        assertThat(defaults.sendTimeoutMillis()).isEqualTo(30_000);
        assertThat(defaults.sessionDataBytes()).isEqualTo(64L << 20);
        assertThat(defaults.serverDataBytes()).isEqualTo(1L << 30);

        LimitsConfig one = ConfigParser.parse("{\"limits\": {\"sendTimeoutSeconds\": 2}}").limits();
        assertThat(one.applyTo(defaults)).isEqualTo(defaults.withSendTimeout(java.time.Duration.ofSeconds(2)));
    }

    @Test
    void sizesTakeTheBackstoreSyntax() {
        assertThat(ConfigParser.parse("{\"limits\": {\"sessionBuffer\": 34603008}}").limits().sessionBuffer())
                .isEqualTo(33L << 20);
        assertThat(ConfigParser.parse("{\"limits\": {\"sessionBuffer\": \"33m\"}}").limits().sessionBuffer())
                .isEqualTo(33L << 20);
        assertThat(ConfigParser.parse("{\"limits\": {\"serverBuffer\": \"1T\"}}").limits().serverBuffer())
                .isEqualTo(1L << 40);
    }

    /** Each case: the "limits" object, and the exact one-line error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"sessionBufer": "64M"}                        | limits.sessionBufer: unknown property
            7                                              | limits: expected a JSON object
            []                                             | limits: expected a JSON object
            {"sessionBuffer": true}                        | limits.sessionBuffer: expected a number of bytes or a string like "1G"
            {"sessionBuffer": "64X"}                       | limits.sessionBuffer: "64X" is not a size (bytes, or a number with K, M, G or T)
            {"serverBuffer": "99999999999T"}               | limits.serverBuffer: "99999999999T" is too large
            {"sendTimeoutSeconds": "30"}                   | limits.sendTimeoutSeconds: expected an integer
            {"sendTimeoutSeconds": 2.5}                    | limits.sendTimeoutSeconds: expected an integer
            {"workerThreads": 99999999999}                 | limits.workerThreads: expected an integer
            {"sessionBuffer": "32M"}                       | limits.sessionBuffer: 32M is too small: must be at least 33M, room for the largest command (32M) plus the first bursts (up to 256K each) that writes queued behind it hold
            {"sessionBuffer": 0}                           | limits.sessionBuffer: 0 is too small: must be at least 33M, room for the largest command (32M) plus the first bursts (up to 256K each) that writes queued behind it hold
            {"sessionBuffer": "2G"}                        | limits.sessionBuffer: 2G is more than serverBuffer (1G, the default); raise serverBuffer too
            {"serverBuffer": "48M"}                        | limits.serverBuffer: 48M is less than sessionBuffer (64M, the default)
            {"sessionBuffer": "256M", "serverBuffer": "128M"} | limits.serverBuffer: 128M is less than sessionBuffer (256M)
            {"sendTimeoutSeconds": 0}                      | limits.sendTimeoutSeconds: 0 is out of range 1..3600 seconds
            {"nopIntervalSeconds": 3601}                   | limits.nopIntervalSeconds: 3601 is out of range 1..3600 seconds
            {"nopTimeoutSeconds": -1}                      | limits.nopTimeoutSeconds: -1 is out of range 1..3600 seconds
            {"loginTimeoutSeconds": 0}                     | limits.loginTimeoutSeconds: 0 is out of range 1..3600 seconds
            {"workerThreads": 0}                           | limits.workerThreads: 0 is out of range 1..1024
            {"workerThreads": 1025}                        | limits.workerThreads: 1025 is out of range 1..1024
            {"loginBackoffMillis": -1}                     | limits.loginBackoffMillis: -1 is out of range 0..3600000 ms
            {"loginBackoffMillis": 3600001}                | limits.loginBackoffMillis: 3600001 is out of range 0..3600000 ms
            {"loginBackoffMaxMillis": 0}                   | limits.loginBackoffMaxMillis: 0 is out of range 1..3600000 ms
            {"loginBackoffMillis": "1s"}                   | limits.loginBackoffMillis: expected an integer
            {"loginBackoffMillis": 61000}                  | limits.loginBackoffMillis: 61000 is more than loginBackoffMaxMillis (60000, the default); raise loginBackoffMaxMillis too
            {"loginBackoffMaxMillis": 999}                 | limits.loginBackoffMaxMillis: 999 is less than loginBackoffMillis (1000, the default)
            {"loginBackoffMillis": 500, "loginBackoffMaxMillis": 100} | limits.loginBackoffMaxMillis: 100 is less than loginBackoffMillis (500)
            """)
    void errorsNameTheField(String limits, String error) {
        String json = "{\"limits\": " + limits + "}";
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class).hasMessage(error);
    }

    @Test
    void boundsAreInclusive() {
        LimitsConfig l = ConfigParser.parse("""
                {"limits": {"sessionBuffer": "33M", "serverBuffer": "33M", "sendTimeoutSeconds": 1,
                            "nopIntervalSeconds": 3600, "nopTimeoutSeconds": 1, "loginTimeoutSeconds": 3600,
                            "workerThreads": 1024}}""").limits();
        assertThat(l.serverBuffer()).isEqualTo(LimitsConfig.MIN_SESSION_BUFFER);
        assertThat(ConfigParser.parse("{\"limits\": {\"workerThreads\": 1}}").limits().workerThreads()).isEqualTo(1);
    }

    @Test
    void loginBackoffTakesSmallValuesAndZeroTurnsItOff() {
        IscsiServer.Options d = IscsiServer.Options.defaults();
        assertThat(d.loginBackoffMillis()).isEqualTo(1000);
        assertThat(d.loginBackoffMaxMillis()).isEqualTo(60_000);
        LimitsConfig l = ConfigParser.parse("{\"limits\": {\"loginBackoffMillis\": 1, \"loginBackoffMaxMillis\": 1}}")
                .limits();
        assertThat(l).isEqualTo(LimitsConfig.NONE.withLoginBackoff(1, 1));
        assertThat(l.applyTo(d).loginBackoffMillis()).isEqualTo(1);
        assertThat(l.applyTo(d).loginBackoffMaxMillis()).isEqualTo(1);
        assertThat(ConfigParser.parse("{\"limits\": {\"loginBackoffMillis\": 0}}").limits().applyTo(d)
                .loginBackoffMillis()).isZero();
        assertThat(ConfigParser.parse(ConfigWriter.toJson(ServerConfig.EMPTY.withLimits(l))).limits()).isEqualTo(l);
        assertThat(LimitsConfig.differences(d, l.applyTo(d)))
                .containsExactly("loginBackoffMillis 1000 -> 1", "loginBackoffMaxMillis 60000 -> 1");
    }

    @Test
    void theValidatorChecksConfigsBuiltInCode() {
        ServerConfig c = ServerConfig.EMPTY.withLimits(new LimitsConfig(null, null, null, null, null, null, 0));
        assertThatThrownBy(() -> ConfigValidator.validate(c))
                .hasMessage("limits.workerThreads: 0 is out of range 1..1024");
    }

    @Test
    void writerWritesOnlyWhatIsSet() {
        String none = ConfigWriter.toJson(ConfigParser.parse("{\"targets\": [{\"name\": \"iqn.2026-11.io.x:t\"}]}"));
        assertThat(none).doesNotContain("limits");

        String one = ConfigWriter.toJson(ConfigParser.parse("{\"limits\": {\"sendTimeoutSeconds\": 2}}"));
        assertThat(one).contains("\"limits\" : {\n    \"sendTimeoutSeconds\" : 2\n  }")
                .doesNotContain("sessionBuffer");

        String empty = ConfigWriter.toJson(ConfigParser.parse("{\"limits\": {}}"));
        assertThat(empty).contains("\"limits\" : { }");
        assertThat(ConfigParser.parse(empty).limits()).isEqualTo(LimitsConfig.NONE);

        ServerConfig all = ConfigParser.parse(ALL);
        String json = ConfigWriter.toJson(all);
        assertThat(json).contains("\"sessionBuffer\" : \"128M\"", "\"serverBuffer\" : \"2G\"",
                "\"workerThreads\" : 4");
        assertThat(ConfigParser.parse(json)).isEqualTo(all);
        // in the documented order
        assertThat(json.indexOf("sessionBuffer")).isLessThan(json.indexOf("serverBuffer"));
        assertThat(json.indexOf("loginTimeoutSeconds")).isLessThan(json.indexOf("workerThreads"));

        // a size that is no whole number of K is written as bytes, and still parses back
        ServerConfig odd = ServerConfig.EMPTY.withLimits(new LimitsConfig((33L << 20) + 1, null, null, null, null,
                null, null));
        assertThat(ConfigParser.parse(ConfigWriter.toJson(odd))).isEqualTo(odd);
    }

    @Test
    void savingKeepsLimitsThroughDesignatorFilling() throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M"}],
                 "limits": {"serverBuffer": "4G"}}""");
        ServerConfig loaded = ConfigStore.load(f); // fills in the NAA and serial, writes the file back
        assertThat(loaded.backstore("r").naa()).isNotNull();
        assertThat(loaded.limits()).isEqualTo(new LimitsConfig(null, 4L << 30, null, null, null, null, null));
        assertThat(Files.readString(f)).contains("\"serverBuffer\" : \"4G\"").contains("\"naa\"");
        assertThat(ConfigStore.load(f)).isEqualTo(loaded);
    }

    @Test
    void differencesNameEachChangedField() {
        IscsiServer.Options d = IscsiServer.Options.defaults();
        assertThat(LimitsConfig.differences(d, d)).isEmpty();
        assertThat(LimitsConfig.differences(d, new LimitsConfig(null, null, 20, null, null, null, 3).applyTo(d)))
                .containsExactly("sendTimeoutSeconds 30 -> 20", "workerThreads " + d.workerThreads() + " -> 3");
    }
}
