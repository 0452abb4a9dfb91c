<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Autostart</name>
    <message>
        <source>%1 is not a folder</source>
        <translation>%1 ist kein Ordner</translation>
    </message>
    <message>
        <source>the folder %1 cannot be created</source>
        <translation>der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>%1 cannot be removed: %2</source>
        <translation>%1 kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>etherdisk: no system tray is available, so --minimized shows the window anyway (until a tray appears, closing it quits Etherdisk)</source>
        <translation>etherdisk: Es gibt keinen Infobereich, daher zeigt --minimized trotzdem das Fenster (bis ein Infobereich erscheint, beendet das Schließen des Fensters Etherdisk)</translation>
    </message>
</context>
<context>
    <name>Ctl</name>
    <message>
        <source>Reads or writes one target over raw Ethernet for a while and reports MB/s, IOPS, latency percentiles and retransmissions. Write modes overwrite the target&apos;s data and need --destructive.</source>
        <translation>Liest oder schreibt eine Weile über rohes Ethernet auf ein Ziel und meldet MB/s, IOPS, Latenzperzentile und Sendewiederholungen. Die Schreibmodi überschreiben die Daten des Ziels und brauchen --destructive.</translation>
    </message>
    <message>
        <source>The interface that reaches the target.</source>
        <translation>Die Schnittstelle, über die das Ziel erreichbar ist.</translation>
    </message>
    <message>
        <source>seqread (default), seqwrite, randread or randwrite.</source>
        <translation>seqread (Vorgabe), seqwrite, randread oder randwrite.</translation>
    </message>
    <message>
        <source>Frames in flight (default: the target&apos;s buffer count, which also caps it).</source>
        <translation>Gleichzeitig unterwegs befindliche Frames (Vorgabe: die Pufferanzahl des Ziels, die auch die Obergrenze ist).</translation>
    </message>
    <message>
        <source>How long to run (default 10).</source>
        <translation>Laufzeit in Sekunden (Vorgabe 10).</translation>
    </message>
    <message>
        <source>Bytes per request, a multiple of 512 (default: one frame).</source>
        <translation>Bytes pro Anfrage, ein Vielfaches von 512 (Vorgabe: ein Frame).</translation>
    </message>
    <message>
        <source>Behave like a simple initiator: take one answer at a time, send the next frame at once on its own, and busy-poll instead of sleeping (uses a whole core).</source>
        <translation>Wie ein einfacher Initiator arbeiten: eine Antwort nach der anderen annehmen, den nächsten Frame sofort einzeln senden und aktiv abfragen statt zu schlafen (belegt einen ganzen Kern).</translation>
    </message>
    <message>
        <source>Writes carry a pattern that is read back and checked afterwards; reads are checked against it.</source>
        <translation>Schreibvorgänge schreiben ein Muster, das danach zurückgelesen und geprüft wird; Lesevorgänge werden mit ihm verglichen.</translation>
    </message>
    <message>
        <source>With --verify and a write mode: save every sector whose write was acknowledged to FILE, one &quot;LBA SECTORS&quot; line per run, to check the target&apos;s disk independently.</source>
        <translation>Mit --verify und einem Schreibmodus: jeden Sektor, dessen Schreiben bestätigt wurde, in FILE festhalten, eine Zeile „LBA SECTORS“ pro Bereich, um den Datenträger des Ziels unabhängig zu prüfen.</translation>
    </message>
    <message>
        <source>Allow the write modes to overwrite the target.</source>
        <translation>Den Schreibmodi erlauben, das Ziel zu überschreiben.</translation>
    </message>
    <message>
        <source>Also report the CPU time this local process (the target) used per GB moved.</source>
        <translation>Zusätzlich die CPU-Zeit melden, die dieser lokale Prozess (das Ziel) pro übertragenem GB verbraucht hat.</translation>
    </message>
    <message>
        <source>Fail a request unanswered this many seconds (default 30).</source>
        <translation>Eine Anfrage als fehlgeschlagen werten, die so viele Sekunden unbeantwortet bleibt (Vorgabe 30).</translation>
    </message>
    <message>
        <source>The target, e.g. e1.2.</source>
        <translation>Das Ziel, z. B. e1.2.</translation>
    </message>
    <message>
        <source>bench needs exactly one interface: -i IF</source>
        <translation>bench braucht genau eine Schnittstelle: -i IF</translation>
    </message>
    <message>
        <source>invalid --mode &quot;%1&quot;: expected seqread, seqwrite, randread or randwrite</source>
        <translation>ungültiges --mode „%1“: erwartet wird seqread, seqwrite, randread oder randwrite</translation>
    </message>
    <message>
        <source>%1 overwrites the data on %2: add --destructive if that is what you want</source>
        <translation>%1 überschreibt die Daten auf %2: --destructive angeben, wenn das gewollt ist</translation>
    </message>
    <message>
        <source>--window must be a whole number</source>
        <translation>--window muss eine ganze Zahl sein</translation>
    </message>
    <message>
        <source>--target-pid %1: no such process</source>
        <translation>--target-pid %1: kein solcher Prozess</translation>
    </message>
    <message>
        <source>--size must be a multiple of 512 bytes</source>
        <translation>--size muss ein Vielfaches von 512 Bytes sein</translation>
    </message>
    <message>
        <source>--acked needs --verify and a write mode</source>
        <translation>--acked braucht --verify und einen Schreibmodus</translation>
    </message>
    <message>
        <source>--acked %1: cannot write a file there</source>
        <translation>--acked %1: dort kann keine Datei geschrieben werden</translation>
    </message>
    <message>
        <source>%1 %2 on %3 (%4): %5 bytes per request, %6-byte frames, window %7 (target buffer count %8), %9 requests in flight</source>
        <translation>%1 %2 über %3 (%4): %5 Bytes pro Anfrage, %6-Byte-Frames, Fenster %7 (Pufferanzahl des Ziels %8), %9 Anfragen gleichzeitig unterwegs</translation>
    </message>
    <message>
        <source>  %1 MB/s, %2 IOPS over %3 s (%4 requests, %5 bytes)%6</source>
        <translation>  %1 MB/s, %2 IOPS in %3 s (%4 Anfragen, %5 Bytes)%6</translation>
    </message>
    <message>
        <source>, stopped early</source>
        <translation>, vorzeitig beendet</translation>
    </message>
    <message>
        <source>  latency us: p50 %1, p90 %2, p99 %3, max %4</source>
        <translation>  Latenz in µs: p50 %1, p90 %2, p99 %3, max. %4</translation>
    </message>
    <message>
        <source>  retransmits %1, ignored responses %2, errors %3, srtt %4 us, rto %5 us</source>
        <translation>  Sendewiederholungen %1, ignorierte Antworten %2, Fehler %3, srtt %4 µs, rto %5 µs</translation>
    </message>
    <message>
        <source>  bench CPU %1 s (%2 s/GB)</source>
        <translation>  CPU von bench %1 s (%2 s/GB)</translation>
    </message>
    <message>
        <source>  target pid %1 CPU %2 s (%3 s/GB)</source>
        <translation>  CPU des Ziels (PID %1) %2 s (%3 s/GB)</translation>
    </message>
    <message>
        <source>  verify: %1 requests with data not matching the pattern%2</source>
        <translation>  Prüfung: %1 Anfragen mit Daten, die nicht zum Muster passen%2</translation>
    </message>
    <message>
        <source> (first at LBA %1)</source>
        <translation> (erste bei LBA %1)</translation>
    </message>
    <message>
        <source>  verify: %1 bytes read back (%2 acknowledged sectors of the first %3), %4 sectors differ%5</source>
        <translation>  Prüfung: %1 Bytes zurückgelesen (%2 bestätigte Sektoren der ersten %3), %4 Sektoren weichen ab%5</translation>
    </message>
    <message>
        <source>  first error: %1</source>
        <translation>  erster Fehler: %1</translation>
    </message>
    <message>
        <source>  verify error: %1</source>
        <translation>  Prüffehler: %1</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe anzeigen.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>Maschinenlesbare Ausgabe (JSON).</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>Aufruf: etherdiskctl %1</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>Aufruf: etherdiskctl %1</translation>
    </message>
    <message>
        <source>which target? e.g. etherdiskctl %1 e1.2 -i eth1</source>
        <translation>welches Ziel? z. B. etherdiskctl %1 e1.2 -i eth1</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>unerwartetes Argument „%1“</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>ungültiges Ziel „%1“: erwartet wird eSHELF.SLOT mit Shelf unter 65535 und Slot unter 255, z. B. e1.2</translation>
    </message>
    <message>
        <source>invalid --%1 &quot;%2&quot;: expected a number from %3 to %4</source>
        <translation>ungültiges --%1 „%2“: erwartet wird eine Zahl von %3 bis %4</translation>
    </message>
    <message>
        <source>network interface %1 is down</source>
        <translation>Netzwerkschnittstelle %1 ist nicht aktiv</translation>
    </message>
    <message>
        <source>Lists every AoE target that answers on the interfaces (default: every Ethernet interface that is up) by broadcasting Query Config, as aoe-stat would after a discover, but without the kernel driver.</source>
        <translation>Listet jedes AoE-Ziel, das auf den Schnittstellen antwortet (Vorgabe: jede aktive Ethernet-Schnittstelle), per Query-Config-Broadcast – wie aoe-stat nach einem discover, aber ohne den Kernel-Treiber.</translation>
    </message>
    <message>
        <source>Listen and ask on IF (repeat, or separate with commas).</source>
        <translation>Auf IF lauschen und fragen (wiederholbar oder durch Kommas getrennt).</translation>
    </message>
    <message>
        <source>Keep running and print each change (added, changed, lost, recovered, conflict, malformed, removed; suppressed and overflow summarize what was left out) with a timestamp; with --json one object per line.</source>
        <translation>Weiterlaufen und jede Änderung mit Zeitstempel ausgeben (added, changed, lost, recovered, conflict, malformed, removed; suppressed und overflow fassen Ausgelassenes zusammen); mit --json ein Objekt pro Zeile.</translation>
    </message>
    <message>
        <source>Without --watch: listen this long before printing (default 2).</source>
        <translation>Ohne --watch: so lange lauschen, bevor die Liste ausgegeben wird (Vorgabe 2).</translation>
    </message>
    <message>
        <source>Seconds between broadcast polls (default 2).</source>
        <translation>Sekunden zwischen den Broadcast-Abfragen (Vorgabe 2).</translation>
    </message>
    <message>
        <source>With --watch: forget a lost target once it has been silent this many seconds, and report it removed (default: keep it listed as lost).</source>
        <translation>Mit --watch: ein verlorenes Ziel vergessen, sobald es so viele Sekunden still war, und es als entfernt melden (Vorgabe: es als verloren gelistet lassen).</translation>
    </message>
    <message>
        <source>A target is lost after this many unanswered polls (default 2).</source>
        <translation>Ein Ziel gilt nach so vielen unbeantworteten Abfragen als verloren (Vorgabe 2).</translation>
    </message>
    <message>
        <source>invalid --missed &quot;%1&quot;: expected a whole number</source>
        <translation>ungültiges --missed „%1“: erwartet wird eine ganze Zahl</translation>
    </message>
    <message>
        <source>no Ethernet interface is up; name one with -i</source>
        <translation>keine Ethernet-Schnittstelle ist aktiv; eine mit -i angeben</translation>
    </message>
    <message>
        <source>poll: %1</source>
        <translation>poll: %1</translation>
    </message>
    <message>
        <source>No AoE target answered on %1 within %2 s.</source>
        <translation>Auf %1 hat innerhalb von %2 s kein AoE-Ziel geantwortet.</translation>
    </message>
    <message>
        <source>Malformed replies (not trusted):</source>
        <translation>Fehlerhafte Antworten (nicht vertrauenswürdig):</translation>
    </message>
    <message>
        <source>  e%1.%2 from %3 on %4: %5 (%6 times)</source>
        <translation>  e%1.%2 von %3 auf %4: %5 (%6-mal)</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl COMMAND [OPTIONS]

ATA over Ethernet from the command line.

</source>
        <translation>Aufruf: etherdiskctl BEFEHL [OPTIONEN]

ATA over Ethernet auf der Kommandozeile.

</translation>
    </message>
    <message>
        <source>
Speaking AoE themselves over raw Ethernet (root or CAP_NET_RAW; no kernel
driver, no helper):
  discover   list every AoE target on the LAN; --watch follows changes
  probe      everything about one target: its configuration, IDENTIFY
             fields and the largest payload each path carries
  bench      measure a target: MB/s, IOPS and latency percentiles

&quot;etherdiskctl COMMAND --help&quot; describes each; etherdiskctl(1) has it all.
  -h, --help     this text
  --version      the version
</source>
        <translation>
Sprechen selbst AoE über rohes Ethernet (root oder CAP_NET_RAW; kein
Kernel-Treiber, kein Helper):
  discover   jedes AoE-Ziel im LAN auflisten; --watch verfolgt Änderungen
  probe      alles über ein Ziel: seine Konfiguration, die IDENTIFY-Felder
             und die größte Nutzlast, die jeder Pfad trägt
  bench      ein Ziel messen: MB/s, IOPS und Latenzperzentile

„etherdiskctl BEFEHL --help“ beschreibt jeden Befehl; etherdiskctl(1) enthält alles.
  -h, --help     dieser Text
  --version      die Version
</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>unbekannter Befehl „%1“</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>  path %1 via %2 (MTU %3, round trip %4 ms)</source>
        <translation>  Pfad %1 über %2 (MTU %3, Umlaufzeit %4 ms)</translation>
    </message>
    <message>
        <source>    config: buffer count %1, firmware 0x%2, %3 sectors per command, AoE version %4</source>
        <translation>    Konfiguration: Pufferanzahl %1, Firmware 0x%2, %3 Sektoren pro Befehl, AoE-Version %4</translation>
    </message>
    <message>
        <source>    config string: %1</source>
        <translation>    Konfigurationszeichenkette: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>    payload: target takes %1, local MTU carries %2 bytes per frame</source>
        <translation>    Nutzlast: das Ziel nimmt %1, die lokale MTU trägt %2 Bytes pro Frame</translation>
    </message>
    <message>
        <source>; no test frame got through</source>
        <translation>; kein Testframe kam durch</translation>
    </message>
    <message>
        <source>; %1 bytes get through both ways</source>
        <translation>; %1 Bytes kommen in beide Richtungen durch</translation>
    </message>
    <message>
        <source>; %1 bytes get through to the target</source>
        <translation>; %1 Bytes kommen bis zum Ziel durch</translation>
    </message>
    <message>
        <source>    model: %1</source>
        <translation>    Modell: %1</translation>
    </message>
    <message>
        <source>    serial: %1</source>
        <translation>    Seriennummer: %1</translation>
    </message>
    <message>
        <source>    firmware: %1</source>
        <translation>    Firmware: %1</translation>
    </message>
    <message>
        <source>    capacity: %1 sectors (%2), LBA28 capacity %3 sectors</source>
        <translation>    Kapazität: %1 Sektoren (%2), LBA28-Kapazität %3 Sektoren</translation>
    </message>
    <message>
        <source>    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, checksum: %4</source>
        <translation>    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, Prüfsumme: %4</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>gültig</translation>
    </message>
    <message>
        <source>INVALID</source>
        <translation>UNGÜLTIG</translation>
    </message>
    <message>
        <source>    IDENTIFY: %1</source>
        <translation>    IDENTIFY: %1</translation>
    </message>
    <message>
        <source>    warning: %1</source>
        <translation>    Warnung: %1</translation>
    </message>
    <message>
        <source>Asks one target for its configuration and ATA IDENTIFY page on every path (responding MAC x local interface), and measures the largest payload each path carries in both directions, as aoeping -I and aoe-sancheck do. Nothing is written.</source>
        <translation>Fragt ein Ziel auf jedem Pfad (antwortende MAC × lokale Schnittstelle) nach seiner Konfiguration und seiner ATA-IDENTIFY-Seite und misst die größte Nutzlast, die jeder Pfad in beide Richtungen trägt, wie aoeping -I und aoe-sancheck. Es wird nichts geschrieben.</translation>
    </message>
    <message>
        <source>Ask on IF (repeat, or separate with commas; default: every Ethernet interface that is up).</source>
        <translation>Auf IF fragen (wiederholbar oder durch Kommas getrennt; Vorgabe: jede aktive Ethernet-Schnittstelle).</translation>
    </message>
    <message>
        <source>Seconds to wait for each answer (default 1).</source>
        <translation>Sekunden, die auf jede Antwort gewartet wird (Vorgabe 1).</translation>
    </message>
    <message>
        <source>Do not measure the payload each path carries.</source>
        <translation>Die Nutzlast der Pfade nicht messen.</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n path(s)</source>
        <translation>
            <numerusform>%1: ein Pfad</numerusform>
            <numerusform>%1: %n Pfade</numerusform>
        </translation>
    </message>
    <message>
        <source>  warning: %1</source>
        <translation>  Warnung: %1</translation>
    </message>
</context>
<context>
    <name>DBusCtl</name>
    <message>
        <source>etherdisk-helper is not running and could not be started: is the etherdisk-helper package installed? (systemctl status etherdisk-helper)</source>
        <translation>etherdisk-helper läuft nicht und konnte nicht gestartet werden: Ist das Paket etherdisk-helper installiert? (systemctl status etherdisk-helper)</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe anzeigen.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>Maschinenlesbare Ausgabe (JSON).</translation>
    </message>
    <message>
        <source>Fail instead of asking for a password.</source>
        <translation>Fehlschlagen, statt nach einem Passwort zu fragen.</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>Aufruf: etherdiskctl %1</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>Aufruf: etherdiskctl %1</translation>
    </message>
    <message>
        <source>missing %1</source>
        <translation>%1 fehlt</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>unerwartetes Argument „%1“</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>ungültiges Ziel „%1“: erwartet wird eSHELF.SLOT mit Shelf unter 65535 und Slot unter 255, z. B. e1.2</translation>
    </message>
    <message>
        <source>invalid MAC address &quot;%1&quot; for --allow: expected aa:bb:cc:dd:ee:ff, not a group address</source>
        <translation>ungültige MAC-Adresse „%1“ für --allow: erwartet wird aa:bb:cc:dd:ee:ff, keine Gruppenadresse</translation>
    </message>
    <message>
        <source>invalid --write-mode &quot;%1&quot;: expected writeback, sync or direct</source>
        <translation>ungültiges --write-mode „%1“: erwartet wird writeback, sync oder direct</translation>
    </message>
    <message>
        <source>cannot connect to the system bus</source>
        <translation>keine Verbindung zum Systembus möglich</translation>
    </message>
    <message>
        <source>Every AoE target etherdisk-helper sees on the LAN, like aoe-stat. When the helper&apos;s discovery is not running, it is started for this command and given 3 s to find the targets.</source>
        <translation>Jedes AoE-Ziel, das etherdisk-helper im LAN sieht, wie bei aoe-stat. Läuft die Suche des Helpers nicht, wird sie für diesen Befehl gestartet und hat 3 s Zeit, die Ziele zu finden.</translation>
    </message>
    <message>
        <source>Every export etherdisk-helper serves.</source>
        <translation>Jeder Export, den etherdisk-helper bereitstellt.</translation>
    </message>
    <message>
        <source>Serve a block device or an image file as AoE target eSHELF.SLOT.</source>
        <translation>Ein Blockgerät oder eine Abbilddatei als AoE-Ziel eSHELF.SLOT bereitstellen.</translation>
    </message>
    <message>
        <source>Serve on this network interface (repeatable).</source>
        <translation>Auf dieser Netzwerkschnittstelle bereitstellen (wiederholbar).</translation>
    </message>
    <message>
        <source>Refuse writes.</source>
        <translation>Schreibzugriffe ablehnen.</translation>
    </message>
    <message>
        <source>Only this initiator MAC may use it (repeatable).</source>
        <translation>Nur diese Initiator-MAC darf es nutzen (wiederholbar).</translation>
    </message>
    <message>
        <source>writeback (default), sync or direct.</source>
        <translation>writeback (Vorgabe), sync oder direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts (exports.conf).</source>
        <translation>Beim Start des Helpers wieder bereitstellen (exports.conf).</translation>
    </message>
    <message>
        <source>Export a device although it is in use (mounted, holds a mounted partition, swap, held by dm/md).</source>
        <translation>Ein Gerät exportieren, obwohl es benutzt wird (eingehängt, enthält eine eingehängte Partition, Swap, von dm/md belegt).</translation>
    </message>
    <message>
        <source>on which network interface? e.g. -i eth0</source>
        <translation>auf welcher Netzwerkschnittstelle? z. B. -i eth0</translation>
    </message>
    <message>
        <source>cannot use %1: %2</source>
        <translation>%1 kann nicht verwendet werden: %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading: %2</source>
        <translation>%1 kann nicht zum Lesen geöffnet werden: %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading and writing: %2 (export it with --read-only if reading is enough)</source>
        <translation>%1 kann nicht zum Lesen und Schreiben geöffnet werden: %2 (mit --read-only exportieren, wenn Lesen genügt)</translation>
    </message>
    <message>
        <source>%1 is neither a block device nor a regular file</source>
        <translation>%1 ist weder ein Blockgerät noch eine reguläre Datei</translation>
    </message>
    <message>
        <source>Exported %1 as %2 on %3.</source>
        <translation>%1 als %2 auf %3 exportiert.</translation>
    </message>
    <message>
        <source>Stop serving an export (and forget it if it was persistent).</source>
        <translation>Einen Export nicht mehr bereitstellen (und ihn vergessen, falls er dauerhaft war).</translation>
    </message>
    <message>
        <source>%1 is not exported by the helper (etherdiskctl exports)</source>
        <translation>%1 wird vom Helper nicht exportiert (etherdiskctl exports)</translation>
    </message>
    <message>
        <source>Stopped exporting %1.</source>
        <translation>Export von %1 beendet.</translation>
    </message>
    <message>
        <source>Change an export&apos;s settings while it serves (counters and requests in flight are kept).</source>
        <translation>Die Einstellungen eines Exports im laufenden Betrieb ändern (Zähler und laufende Anfragen bleiben erhalten).</translation>
    </message>
    <message>
        <source>Refuse writes from now on.</source>
        <translation>Ab jetzt Schreibzugriffe ablehnen.</translation>
    </message>
    <message>
        <source>Accept writes again.</source>
        <translation>Schreibzugriffe wieder annehmen.</translation>
    </message>
    <message>
        <source>Only these initiator MACs may use it (repeatable; replaces the list).</source>
        <translation>Nur diese Initiator-MACs dürfen es nutzen (wiederholbar; ersetzt die Liste).</translation>
    </message>
    <message>
        <source>Every initiator may use it.</source>
        <translation>Jeder Initiator darf es nutzen.</translation>
    </message>
    <message>
        <source>writeback, sync or direct.</source>
        <translation>writeback, sync oder direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts.</source>
        <translation>Beim Start des Helpers wieder bereitstellen.</translation>
    </message>
    <message>
        <source>Forget it when the helper stops.</source>
        <translation>Beim Beenden des Helpers vergessen.</translation>
    </message>
    <message>
        <source>--read-only and --read-write exclude each other</source>
        <translation>--read-only und --read-write schließen einander aus</translation>
    </message>
    <message>
        <source>--persistent and --no-persistent exclude each other</source>
        <translation>--persistent und --no-persistent schließen einander aus</translation>
    </message>
    <message>
        <source>--allow and --allow-all exclude each other</source>
        <translation>--allow und --allow-all schließen einander aus</translation>
    </message>
    <message>
        <source>nothing to change: give --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent or --no-persistent</source>
        <translation>nichts zu ändern: --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent oder --no-persistent angeben</translation>
    </message>
    <message>
        <source>Changed the settings of %1.</source>
        <translation>Einstellungen von %1 geändert.</translation>
    </message>
    <message>
        <source>Attach a target through the Linux aoe driver: /dev/etherd/eSHELF.SLOT.</source>
        <translation>Ein Ziel über den Linux-Treiber aoe verbinden: /dev/etherd/eSHELF.SLOT.</translation>
    </message>
    <message>
        <source>Detach a target from the Linux aoe driver.</source>
        <translation>Ein Ziel vom Linux-Treiber aoe trennen.</translation>
    </message>
    <message>
        <source>Passed on to the helper; it still never detaches a disk that is mounted, open or held, because the driver would remove it under its users.</source>
        <translation>Wird an den Helper weitergegeben; er trennt trotzdem nie einen Datenträger, der eingehängt, geöffnet oder belegt ist, weil der Treiber ihn seinen Benutzern wegnehmen würde.</translation>
    </message>
    <message>
        <source>%1 is not known to the helper: is it on the LAN? (etherdiskctl list)</source>
        <translation>%1 ist dem Helper nicht bekannt: Ist es im LAN? (etherdiskctl list)</translation>
    </message>
    <message>
        <source>Attached %1 as %2.</source>
        <translation>%1 als %2 verbunden.</translation>
    </message>
    <message>
        <source>Detached %1.</source>
        <translation>%1 getrennt.</translation>
    </message>
    <message>
        <source>Print every change of the helper&apos;s exports and targets as it happens, until Ctrl-C.</source>
        <translation>Jede Änderung an den Exporten und Zielen des Helpers ausgeben, sobald sie geschieht, bis Strg+C.</translation>
    </message>
    <message>
        <source>%1 helper connected (version %2): %3, %4</source>
        <translation>%1 Helper verbunden (Version %2): %3, %4</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s)</source>
        <translation>
            <numerusform>%n Export</numerusform>
            <numerusform>%n Exporte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n target(s)</source>
        <translation>
            <numerusform>%n Ziel</numerusform>
            <numerusform>%n Ziele</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 helper gone: waiting for it to start again</source>
        <translation>%1 Helper weg: warte auf seinen Neustart</translation>
    </message>
    <message>
        <source>targets are not watched (the helper refused discovery: %1)</source>
        <translation>Ziele werden nicht beobachtet (der Helper hat die Suche abgelehnt: %1)</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>unbekannter Befehl „%1“</translation>
    </message>
    <message>
        <source>Through etherdisk-helper (the system service; any user, each change checked by
polkit, a password asked in this terminal when needed):
  list       every AoE target the helper sees on the LAN, like aoe-stat
  exports    every export the helper serves, with its clients and state
  export     serve a block device or image file: export FILE e1.2 -i eth0
  unexport   stop serving an export
  set        change an export&apos;s settings while it serves
  attach     attach a target through the Linux aoe driver
  detach     detach it again
  monitor    print every change as it happens, until Ctrl-C
</source>
        <translation>Über etherdisk-helper (den Systemdienst; jeder Benutzer, jede Änderung von polkit
geprüft, bei Bedarf wird in diesem Terminal nach einem Passwort gefragt):
  list       jedes AoE-Ziel, das der Helper im LAN sieht, wie bei aoe-stat
  exports    jeder Export, den der Helper bereitstellt, mit Clients und Zustand
  export     ein Blockgerät oder eine Abbilddatei bereitstellen: export DATEI e1.2 -i eth0
  unexport   einen Export beenden
  set        die Einstellungen eines Exports im laufenden Betrieb ändern
  attach     ein Ziel über den Linux-Treiber aoe verbinden
  detach     es wieder trennen
  monitor    jede Änderung ausgeben, sobald sie geschieht, bis Strg+C
</translation>
    </message>
    <message>
        <source>pkttyagent is not installed (Debian: package polkitd), so polkit cannot ask for a password in this terminal; a graphical polkit agent may still ask</source>
        <translation>pkttyagent ist nicht installiert (Debian: Paket polkitd), daher kann polkit in diesem Terminal nicht nach einem Passwort fragen; ein grafischer polkit-Agent fragt womöglich trotzdem</translation>
    </message>
    <message>
        <source>pkttyagent did not start (see its message above)</source>
        <translation>pkttyagent ist nicht gestartet (siehe seine Meldung oben)</translation>
    </message>
    <message>
        <source>pkttyagent did not register with polkit in %1 s</source>
        <translation>pkttyagent hat sich nicht innerhalb von %1 s bei polkit angemeldet</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Client::Model</name>
    <message>
        <source>GetManagedObjects returned nothing</source>
        <translation>GetManagedObjects hat nichts geliefert</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui</name>
    <message>
        <source>KiB</source>
        <translation>KiB</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <source>GiB</source>
        <translation>GiB</translation>
    </message>
    <message>
        <source>TiB</source>
        <translation>TiB</translation>
    </message>
    <message>
        <source>PiB</source>
        <translation>PiB</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::ExportDialog</name>
    <message>
        <source>New export</source>
        <translation>Neuer Export</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>An &amp;image file</source>
        <translation>&amp;Abbilddatei</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>Abbilddatei</translation>
    </message>
    <message>
        <source>/path/to/disk.img</source>
        <translation>/pfad/zu/datentraeger.img</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>New image file</source>
        <translation>Neue Abbilddatei</translation>
    </message>
    <message>
        <source>&amp;Create it, empty (sparse), of</source>
        <translation>&amp;Neu anlegen, leer (dünn belegt), mit</translation>
    </message>
    <message>
        <source>Size of the new image in MiB</source>
        <translation>Größe des neuen Abbilds in MiB</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>A &amp;disk or partition</source>
        <translation>Ein Datenträger oder eine &amp;Partition</translation>
    </message>
    <message>
        <source>Disk or partition</source>
        <translation>Datenträger oder Partition</translation>
    </message>
    <message>
        <source>Interfaces to serve on</source>
        <translation>Schnittstellen für die Bereitstellung</translation>
    </message>
    <message>
        <source>I&amp;nterfaces:</source>
        <translation>&amp;Schnittstellen:</translation>
    </message>
    <message>
        <source>Shelf</source>
        <translation>Shelf</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Slot</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>Adr&amp;esse:</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>Sch&amp;reibgeschützt</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>Alle im LAN</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>Zugriffsliste</translation>
    </message>
    <message>
        <source>Access &amp;list (MACs):</source>
        <translation>&amp;Zugriffsliste (MACs):</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>Beim Hoch&amp;fahren bereitstellen</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>E&amp;xportieren</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>„%1“</translation>
    </message>
    <message>
        <source> — cannot be exported: %1</source>
        <translation> – kann nicht exportiert werden: %1</translation>
    </message>
    <message>
        <source>up</source>
        <comment>link</comment>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>down</source>
        <comment>link</comment>
        <translation>inaktiv</translation>
    </message>
    <message>
        <source>no carrier</source>
        <comment>link</comment>
        <translation>kein Signal</translation>
    </message>
    <message>
        <source>%1 — link %2, MTU %3</source>
        <translation>%1 – Verbindung %2, MTU %3</translation>
    </message>
    <message>
        <source>Choose at least one interface to serve on.</source>
        <translation>Mindestens eine Schnittstelle für die Bereitstellung wählen.</translation>
    </message>
    <message>
        <source>Choose a disk or partition that can be exported.</source>
        <translation>Einen Datenträger oder eine Partition wählen, die exportiert werden kann.</translation>
    </message>
    <message>
        <source>Choose an image file.</source>
        <translation>Eine Abbilddatei wählen.</translation>
    </message>
    <message>
        <source>Cannot create %1: %2</source>
        <translation>%1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>Cannot make %1 that large: %2</source>
        <translation>%1 kann nicht so groß gemacht werden: %2</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::ExportsModel</name>
    <message>
        <source>Write-back</source>
        <translation>Write-back</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>Synchron</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direkt</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Interface down</source>
        <translation>Schnittstelle inaktiv</translation>
    </message>
    <message>
        <source>Disk or image failing</source>
        <translation>Datenträger oder Abbild fehlerhaft</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Schreibgeschützt</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Interfaces</source>
        <translation>Schnittstellen</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Write mode</source>
        <translation>Schreibmodus</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>Zugriff</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lesen</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Start at boot</source>
        <translation>Beim Hochfahren</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::LocalSources</name>
    <message>
        <source>holds the system (%1)</source>
        <translation>enthält das System (%1)</translation>
    </message>
    <message>
        <source>swap</source>
        <translation>Swap</translation>
    </message>
    <message>
        <source>mounted at %1</source>
        <translation>eingehängt unter %1</translation>
    </message>
    <message>
        <source>a partition: %1</source>
        <translation>eine Partition: %1</translation>
    </message>
    <message>
        <source>an optical drive</source>
        <translation>ein optisches Laufwerk</translation>
    </message>
    <message>
        <source>lsblk gave no readable list: %1</source>
        <translation>lsblk lieferte keine lesbare Liste: %1</translation>
    </message>
    <message>
        <source>lsblk failed: %1</source>
        <translation>lsblk ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>it is not installed (package util-linux)</source>
        <translation>es ist nicht installiert (Paket util-linux)</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::MainWindow</name>
    <message>
        <source>Etherdisk</source>
        <translation>Etherdisk</translation>
    </message>
    <message>
        <source>&amp;Attach</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <source>&amp;Detach</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>Details &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;New export…</source>
        <translation>&amp;Neuer Export…</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stoppen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>&amp;Edit settings…</source>
        <translation>&amp;Einstellungen bearbeiten…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Helper status</source>
        <translation>Zustand des Helpers</translation>
    </message>
    <message>
        <source>Retry connecting to etherdisk-helper</source>
        <translation>Erneut versuchen, sich mit etherdisk-helper zu verbinden</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Ansichten</translation>
    </message>
    <message>
        <source>Network disks</source>
        <translation>Netzwerkdatenträger</translation>
    </message>
    <message>
        <source>My exports</source>
        <translation>Meine Exporte</translation>
    </message>
    <message>
        <source>Filter network disks</source>
        <translation>Netzwerkdatenträger filtern</translation>
    </message>
    <message>
        <source>Filter my exports</source>
        <translation>Meine Exporte filtern</translation>
    </message>
    <message>
        <source>&lt;b&gt;etherdisk-helper is not running&lt;/b&gt;: %1</source>
        <translation>&lt;b&gt;etherdisk-helper läuft nicht&lt;/b&gt;: %1</translation>
    </message>
    <message>
        <source>Start it with &lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt; (or install the etherdisk package, which lets the system bus start it when needed). This window reconnects by itself as soon as it runs.</source>
        <translation>Mit &lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt; starten (oder das Paket etherdisk installieren, dann startet ihn der Systembus bei Bedarf). Dieses Fenster verbindet sich von selbst neu, sobald er läuft.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>it stopped or was restarted; waiting for it to come back</source>
        <translation>er wurde beendet oder neu gestartet; warte, bis er wieder da ist</translation>
    </message>
    <message>
        <source>Connected to etherdisk-helper %1</source>
        <translation>Verbunden mit etherdisk-helper %1</translation>
    </message>
    <message>
        <source>Discovery could not start: %1</source>
        <translation>Die Suche konnte nicht starten: %1</translation>
    </message>
    <message>
        <source>%1 (asks for a password)</source>
        <translation>%1 (fragt nach einem Passwort)</translation>
    </message>
    <message>
        <source>%1 (not allowed for your account)</source>
        <translation>%1 (für Ihr Konto nicht erlaubt)</translation>
    </message>
    <message numerus="yes">
        <source>Connected to etherdisk-helper %1 · %n network disk(s)</source>
        <translation>
            <numerusform>Verbunden mit etherdisk-helper %1 · %n Netzwerkdatenträger</numerusform>
            <numerusform>Verbunden mit etherdisk-helper %1 · %n Netzwerkdatenträger</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n export(s)</source>
        <translation>
            <numerusform> · %n Export</numerusform>
            <numerusform> · %n Exporte</numerusform>
        </translation>
    </message>
    <message>
        <source>Attaching %1…</source>
        <translation>%1 wird verbunden…</translation>
    </message>
    <message>
        <source>Could not attach %1: %2</source>
        <translation>%1 konnte nicht verbunden werden: %2</translation>
    </message>
    <message>
        <source>%1 is attached as %2</source>
        <translation>%1 ist als %2 verbunden</translation>
    </message>
    <message>
        <source>Could not detach %1: %2</source>
        <translation>%1 konnte nicht getrennt werden: %2</translation>
    </message>
    <message>
        <source>%1 is detached</source>
        <translation>%1 ist getrennt</translation>
    </message>
    <message>
        <source>%1 is the device %2</source>
        <translation>%1 ist das Gerät %2</translation>
    </message>
    <message>
        <source>%1 is the device %2; mounting it failed: %3</source>
        <translation>%1 ist das Gerät %2; das Einhängen ist fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>%1 is mounted at %2</source>
        <translation>%1 ist unter %2 eingehängt</translation>
    </message>
    <message>
        <source>The details of %1 are on the clipboard</source>
        <translation>Die Details von %1 sind in der Zwischenablage</translation>
    </message>
    <message>
        <source>%1 is exported</source>
        <translation>%1 ist exportiert</translation>
    </message>
    <message>
        <source>Could not stop %1: %2</source>
        <translation>%1 konnte nicht gestoppt werden: %2</translation>
    </message>
    <message>
        <source>%1 is no longer exported</source>
        <translation>%1 wird nicht mehr exportiert</translation>
    </message>
    <message>
        <source>The settings of %1 are changed</source>
        <translation>Die Einstellungen von %1 sind geändert</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>E&amp;rneut versuchen</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::Notifier</name>
    <message>
        <source>%1 is lost</source>
        <translation>%1 ist verloren</translation>
    </message>
    <message>
        <source>The network disk %1 (%2) stopped answering. Programs using it wait until it comes back.</source>
        <translation>Der Netzwerkdatenträger %1 (%2) antwortet nicht mehr. Programme, die ihn benutzen, warten, bis er wieder da ist.</translation>
    </message>
    <message>
        <source>attached</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>%1 is back</source>
        <translation>%1 ist wieder da</translation>
    </message>
    <message>
        <source>The network disk %1 answers again.</source>
        <translation>Der Netzwerkdatenträger %1 antwortet wieder.</translation>
    </message>
    <message>
        <source>Open Etherdisk</source>
        <translation>Etherdisk öffnen</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::SettingsDialog</name>
    <message>
        <source>“%1” is not a MAC address (like 02:ae:00:00:00:07)</source>
        <translation>„%1“ ist keine MAC-Adresse (wie 02:ae:00:00:00:07)</translation>
    </message>
    <message>
        <source>Settings of %1</source>
        <translation>Einstellungen von %1</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>Sch&amp;reibgeschützt</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>Alle im LAN</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>Zugriffsliste</translation>
    </message>
    <message>
        <source>&amp;Access list (MACs):</source>
        <translation>&amp;Zugriffsliste (MACs):</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>Beim Hoch&amp;fahren bereitstellen</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::StartAtLoginAction</name>
    <message>
        <source>&amp;Start Etherdisk when I log in</source>
        <translation>Etherdisk beim &amp;Anmelden starten</translation>
    </message>
    <message>
        <source>Starts Etherdisk in the tray when you log in (%1)</source>
        <translation>Startet Etherdisk beim Anmelden im Infobereich (%1)</translation>
    </message>
    <message>
        <source>Etherdisk cannot start when you log in: %1.</source>
        <translation>Etherdisk kann nicht beim Anmelden starten: %1.</translation>
    </message>
    <message>
        <source>Etherdisk would still start when you log in: %1.</source>
        <translation>Etherdisk würde beim Anmelden weiterhin starten: %1.</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TargetsModel</name>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Verloren</translation>
    </message>
    <message>
        <source>Address conflict</source>
        <translation>Adresskonflikt</translation>
    </message>
    <message>
        <source>Malformed replies</source>
        <translation>Fehlerhafte Antworten</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Adresse: %1</translation>
    </message>
    <message>
        <source>Capacity: %1 (%2 bytes)</source>
        <translation>Kapazität: %1 (%2 Bytes)</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>Serial: %1</source>
        <translation>Seriennummer: %1</translation>
    </message>
    <message>
        <source>Firmware: %1</source>
        <translation>Firmware: %1</translation>
    </message>
    <message>
        <source>Paths: %1</source>
        <translation>Pfade: %1</translation>
    </message>
    <message>
        <source>Payload: %1 bytes per frame</source>
        <translation>Nutzlast: %1 Bytes pro Frame</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>Zustand: %1</translation>
    </message>
    <message>
        <source>Conflict: %1</source>
        <translation>Konflikt: %1</translation>
    </message>
    <message>
        <source>Attached as: %1</source>
        <translation>Verbunden als: %1</translation>
    </message>
    <message>
        <source>not attached</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Bytes</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>Kapazität</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Interfaces and MACs</source>
        <translation>Schnittstellen und MACs</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Nutzlast</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Attached as</source>
        <translation>Verbunden als</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TrayIcon</name>
    <message>
        <source>&amp;Open Etherdisk</source>
        <translation>Etherdisk ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>etherdisk-helper is not running</source>
        <translation>etherdisk-helper läuft nicht</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s) served</source>
        <translation>
            <numerusform>%n Export bereitgestellt</numerusform>
            <numerusform>%n Exporte bereitgestellt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) attached</source>
        <translation>
            <numerusform>%n Datenträger verbunden</numerusform>
            <numerusform>%n Datenträger verbunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) lost</source>
        <translation>
            <numerusform>%n Datenträger verloren</numerusform>
            <numerusform>%n Datenträger verloren</numerusform>
        </translation>
    </message>
    <message>
        <source>Etherdisk: %1</source>
        <translation>Etherdisk: %1</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 als %2</translation>
    </message>
    <message>
        <source> (lost)</source>
        <translation> (verloren)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Attached &amp;disks</source>
        <translation>&amp;Verbundene Datenträger</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::WriteModeChoice</name>
    <message>
        <source>Write mode</source>
        <translation>Schreibmodus</translation>
    </message>
    <message>
        <source>Write-back (fastest)</source>
        <translation>Write-back (am schnellsten)</translation>
    </message>
    <message>
        <source>A crash or power loss of this machine can lose the last writes the other side believes are on disk.</source>
        <translation>Ein Absturz oder Stromausfall dieses Rechners kann die letzten Schreibvorgänge verlieren, die die Gegenseite schon auf dem Datenträger glaubt.</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>Synchron</translation>
    </message>
    <message>
        <source>Every acknowledged write is on stable storage: a crash loses nothing that was acknowledged.</source>
        <translation>Jeder bestätigte Schreibvorgang liegt auf dauerhaftem Speicher: Ein Absturz verliert nichts, was bestätigt wurde.</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direkt</translation>
    </message>
    <message>
        <source>As synchronous, bypassing this machine&apos;s page cache: a crash loses nothing acknowledged; not for 4K-sector disks.</source>
        <translation>Wie synchron, aber am Seitencache dieses Rechners vorbei: Ein Absturz verliert nichts Bestätigtes; nicht für Datenträger mit 4K-Sektoren.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>the views were not ready in time</source>
        <translation>die Ansichten waren nicht rechtzeitig bereit</translation>
    </message>
    <message>
        <source>ATA over Ethernet disks: the LAN&apos;s shelves, your exports.</source>
        <translation>ATA-over-Ethernet-Datenträger: die Shelves im LAN, Ihre Exporte.</translation>
    </message>
    <message>
        <source>Save a picture of each main view into DIR, then quit.</source>
        <translation>Ein Bild jeder Hauptansicht in DIR speichern und dann beenden.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N network disks.</source>
        <translation>Mit --screenshots: auf N Netzwerkdatenträger warten.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N exports.</source>
        <translation>Mit --screenshots: auf N Exporte warten.</translation>
    </message>
    <message>
        <source>Start in the tray, without the window (where there is a tray; used when starting at login).</source>
        <translation>Im Infobereich starten, ohne Fenster (wo es einen Infobereich gibt; beim Start nach der Anmeldung verwendet).</translation>
    </message>
</context>
</TS>
