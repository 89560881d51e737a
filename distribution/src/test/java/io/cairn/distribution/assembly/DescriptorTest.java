package io.cairn.distribution.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

class DescriptorTest {

    @TempDir
    Path temp;

    private Path write(String name, String text) throws Exception {
        Path file = temp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsEveryKey() throws Exception {
        Files.createDirectories(temp.resolve("etc"));
        Files.createDirectories(temp.resolve("jars"));
        write("banner.txt", "Hello from {title}\n\n");
        Path file = write("acme.properties", """
                name = acme
                title = Acme Broker
                version = 2.0.0
                banner = banner.txt
                etc = etc
                etc.exclude = *.example, other.cfg
                pool = jars
                port.tcp-default = 1884
                set.io.cairn.kernel.cfg/persistence = memory
                bundle.org.example.core = system/2 [1.2,2)
                bundle.org.example.plugin = deploy 1.0
                bundle.org.example.any = plugins *
                """);

        Descriptor descriptor = Descriptor.read(file, null);

        assertThat(descriptor.name()).isEqualTo("acme");
        assertThat(descriptor.title()).isEqualTo("Acme Broker");
        assertThat(descriptor.version()).isEqualTo("2.0.0");
        assertThat(descriptor.banner()).isEqualTo("Hello from {title}");
        assertThat(descriptor.etc()).containsExactly(temp.resolve("etc"));
        assertThat(descriptor.etcExclude()).containsExactly("*.example", "other.cfg");
        assertThat(descriptor.pool()).containsExactly(temp.resolve("jars"));
        assertThat(descriptor.settings()).extracting(s -> s.file() + "/" + s.key() + "=" + s.value())
                .containsExactlyInAnyOrder("io.cairn.transport.tcp-default.cfg/port=1884",
                        "io.cairn.kernel.cfg/persistence=memory");
        assertThat(descriptor.bundles()).extracting(BundleEntry::symbolicName, BundleEntry::folder)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("org.example.any", "plugins"),
                        org.assertj.core.groups.Tuple.tuple("org.example.core", "system/2"),
                        org.assertj.core.groups.Tuple.tuple("org.example.plugin", "deploy"));
        BundleEntry core = descriptor.bundles().get(1);
        assertThat(core.range().includes(Version.parseVersion("1.9.9"))).isTrue();
        assertThat(core.range().includes(Version.parseVersion("2.0.0"))).isFalse();
        assertThat(descriptor.bundles().get(2).range().includes(Version.parseVersion("7.0.0"))).isTrue();
    }

    @Test
    void inheritsFromItsBaseAndAddsOrRemoves() throws Exception {
        Files.createDirectories(temp.resolve("base/etc"));
        Files.createDirectories(temp.resolve("vendor/etc"));
        write("base/full.properties", """
                name = full
                title = Cairn
                etc = etc
                port.tcp-default = 1883
                bundle.org.example.core = system/2 [1,2)
                bundle.org.example.jdbc = plugins [1,2)
                """);
        Path vendor = write("vendor/acme.properties", """
                base = full
                name = acme
                etc = etc
                port.tcp-default = 1884
                bundle.org.example.jdbc = none
                bundle.com.acme.audit = deploy [1,2)
                """);

        Descriptor descriptor = Descriptor.read(vendor, temp.resolve("base"));

        assertThat(descriptor.name()).isEqualTo("acme");
        assertThat(descriptor.title()).isEqualTo("Cairn");
        assertThat(descriptor.etc()).containsExactly(temp.resolve("base/etc"), temp.resolve("vendor/etc"));
        assertThat(descriptor.settings()).singleElement().extracting(Descriptor.Setting::value).isEqualTo("1884");
        assertThat(descriptor.bundles()).extracting(BundleEntry::symbolicName)
                .containsExactly("com.acme.audit", "org.example.core");
    }

    @Test
    void namesTheFileAndTheKeyOfEachMistake() throws Exception {
        assertProblem("name = x\nbundle.a = deploy\n", "bundle.a: 'deploy' is not '<folder> <version range>'");
        assertProblem("name = x\nbundle.a = system/0 [1,2)\n", "bundle.a: 'system/0' is not a folder");
        assertProblem("name = x\nbundle.a = deploy [2,1)x\n", "bundle.a: '[2,1)x' is not an OSGi version range");
        assertProblem("name = x\nbundle.a = deploy [1,2)\n", "bundle.*: no bundle goes into system/<start level>");
        assertProblem("bundle.a = system/1 [1,2)\n", "name: missing");
        assertProblem("name = x y\nbundle.a = system/1 [1,2)\n", "name: 'x y' is not a name");
        assertProblem("name = x\nport.tcp-default = 70000\nbundle.a = system/1 [1,2)\n",
                "port.tcp-default: '70000' is not a port");
        assertProblem("name = x\nport.default = 1\nbundle.a = system/1 [1,2)\n", "port.default: not 'port.<tcp|tls|ws>");
        assertProblem("name = x\nset.kernel.cfg = 1\nbundle.a = system/1 [1,2)\n", "set.kernel.cfg: not 'set.<file");
        assertProblem("name = x\netc = nowhere\nbundle.a = system/1 [1,2)\n", "nowhere is not a folder");
        assertProblem("name = x\nbanner = nowhere.txt\nbundle.a = system/1 [1,2)\n", "banner: cannot read");
        assertProblem("name = x\nbundles.a = system/1 [1,2)\n", "bundles.a: unknown key");
        assertProblem("base = nothing\n", "base = nothing: no such descriptor");
        assertProblem("base = d.properties\n", "its bases form a cycle");
    }

    private void assertProblem(String text, String message) throws Exception {
        Path file = write("d.properties", text);
        assertThatThrownBy(() -> Descriptor.read(file, temp))
                .isInstanceOf(AssemblyException.class)
                .hasMessageStartingWith("descriptor " + file)
                .hasMessageContaining(message);
    }
}
