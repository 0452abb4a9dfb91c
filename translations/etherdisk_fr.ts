<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Autostart</name>
    <message>
        <source>%1 is not a folder</source>
        <translation>%1 n&apos;est pas un dossier</translation>
    </message>
    <message>
        <source>the folder %1 cannot be created</source>
        <translation>le dossier %1 ne peut pas être créé</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 ne peut pas être écrit : %2</translation>
    </message>
    <message>
        <source>%1 cannot be removed: %2</source>
        <translation>%1 ne peut pas être supprimé : %2</translation>
    </message>
    <message>
        <source>etherdisk: no system tray is available, so --minimized shows the window anyway (until a tray appears, closing it quits Etherdisk)</source>
        <translation>etherdisk : aucune zone de notification n&apos;est disponible, --minimized affiche donc quand même la fenêtre (tant qu&apos;aucune zone de notification n&apos;apparaît, la fermer quitte Etherdisk)</translation>
    </message>
</context>
<context>
    <name>Ctl</name>
    <message>
        <source>Reads or writes one target over raw Ethernet for a while and reports MB/s, IOPS, latency percentiles and retransmissions. Write modes overwrite the target&apos;s data and need --destructive.</source>
        <translation>Lit ou écrit une cible pendant un moment en Ethernet brut et indique les Mo/s, les IOPS, les percentiles de latence et les retransmissions. Les modes d&apos;écriture écrasent les données de la cible et exigent --destructive.</translation>
    </message>
    <message>
        <source>The interface that reaches the target.</source>
        <translation>L&apos;interface par laquelle la cible est joignable.</translation>
    </message>
    <message>
        <source>seqread (default), seqwrite, randread or randwrite.</source>
        <translation>seqread (par défaut), seqwrite, randread ou randwrite.</translation>
    </message>
    <message>
        <source>Frames in flight (default: the target&apos;s buffer count, which also caps it).</source>
        <translation>Trames en vol (par défaut : le nombre de tampons de la cible, qui est aussi le maximum).</translation>
    </message>
    <message>
        <source>How long to run (default 10).</source>
        <translation>Durée de la mesure en secondes (10 par défaut).</translation>
    </message>
    <message>
        <source>Bytes per request, a multiple of 512 (default: one frame).</source>
        <translation>Octets par requête, un multiple de 512 (par défaut : une trame).</translation>
    </message>
    <message>
        <source>Behave like a simple initiator: take one answer at a time, send the next frame at once on its own, and busy-poll instead of sleeping (uses a whole core).</source>
        <translation>Se comporter comme un initiateur simple : prendre une réponse à la fois, envoyer aussitôt la trame suivante seule et interroger en boucle au lieu de dormir (occupe un cœur entier).</translation>
    </message>
    <message>
        <source>Writes carry a pattern that is read back and checked afterwards; reads are checked against it.</source>
        <translation>Les écritures portent un motif relu et vérifié ensuite ; les lectures sont comparées à ce motif.</translation>
    </message>
    <message>
        <source>With --verify and a write mode: save every sector whose write was acknowledged to FILE, one &quot;LBA SECTORS&quot; line per run, to check the target&apos;s disk independently.</source>
        <translation>Avec --verify et un mode d&apos;écriture : enregistrer dans FILE chaque secteur dont l&apos;écriture a été acquittée, une ligne « LBA SECTORS » par plage, pour vérifier le disque de la cible de façon indépendante.</translation>
    </message>
    <message>
        <source>Allow the write modes to overwrite the target.</source>
        <translation>Autoriser les modes d&apos;écriture à écraser la cible.</translation>
    </message>
    <message>
        <source>Also report the CPU time this local process (the target) used per GB moved.</source>
        <translation>Indiquer aussi le temps CPU utilisé par ce processus local (la cible) par Go transféré.</translation>
    </message>
    <message>
        <source>Fail a request unanswered this many seconds (default 30).</source>
        <translation>Considérer comme échouée une requête restée sans réponse pendant ce nombre de secondes (30 par défaut).</translation>
    </message>
    <message>
        <source>The target, e.g. e1.2.</source>
        <translation>La cible, par exemple e1.2.</translation>
    </message>
    <message>
        <source>bench needs exactly one interface: -i IF</source>
        <translation>bench exige exactement une interface : -i IF</translation>
    </message>
    <message>
        <source>invalid --mode &quot;%1&quot;: expected seqread, seqwrite, randread or randwrite</source>
        <translation>--mode « %1 » non valide : seqread, seqwrite, randread ou randwrite attendu</translation>
    </message>
    <message>
        <source>%1 overwrites the data on %2: add --destructive if that is what you want</source>
        <translation>%1 écrase les données de %2 : ajoutez --destructive si c&apos;est bien ce que vous voulez</translation>
    </message>
    <message>
        <source>--window must be a whole number</source>
        <translation>--window doit être un nombre entier</translation>
    </message>
    <message>
        <source>--target-pid %1: no such process</source>
        <translation>--target-pid %1 : aucun processus de ce numéro</translation>
    </message>
    <message>
        <source>--size must be a multiple of 512 bytes</source>
        <translation>--size doit être un multiple de 512 octets</translation>
    </message>
    <message>
        <source>--acked needs --verify and a write mode</source>
        <translation>--acked exige --verify et un mode d&apos;écriture</translation>
    </message>
    <message>
        <source>--acked %1: cannot write a file there</source>
        <translation>--acked %1 : impossible d&apos;écrire un fichier à cet endroit</translation>
    </message>
    <message>
        <source>%1 %2 on %3 (%4): %5 bytes per request, %6-byte frames, window %7 (target buffer count %8), %9 requests in flight</source>
        <translation>%1 %2 sur %3 (%4) : %5 octets par requête, trames de %6 octets, fenêtre %7 (nombre de tampons de la cible %8), %9 requêtes en vol</translation>
    </message>
    <message>
        <source>  %1 MB/s, %2 IOPS over %3 s (%4 requests, %5 bytes)%6</source>
        <translation>  %1 Mo/s, %2 IOPS sur %3 s (%4 requêtes, %5 octets)%6</translation>
    </message>
    <message>
        <source>, stopped early</source>
        <translation>, arrêté avant la fin</translation>
    </message>
    <message>
        <source>  latency us: p50 %1, p90 %2, p99 %3, max %4</source>
        <translation>  latence en µs : p50 %1, p90 %2, p99 %3, max %4</translation>
    </message>
    <message>
        <source>  retransmits %1, ignored responses %2, errors %3, srtt %4 us, rto %5 us</source>
        <translation>  retransmissions %1, réponses ignorées %2, erreurs %3, srtt %4 µs, rto %5 µs</translation>
    </message>
    <message>
        <source>  bench CPU %1 s (%2 s/GB)</source>
        <translation>  CPU de bench %1 s (%2 s/Go)</translation>
    </message>
    <message>
        <source>  target pid %1 CPU %2 s (%3 s/GB)</source>
        <translation>  CPU de la cible (PID %1) %2 s (%3 s/Go)</translation>
    </message>
    <message>
        <source>  verify: %1 requests with data not matching the pattern%2</source>
        <translation>  vérification : %1 requêtes avec des données non conformes au motif%2</translation>
    </message>
    <message>
        <source> (first at LBA %1)</source>
        <translation> (la première au LBA %1)</translation>
    </message>
    <message>
        <source>  verify: %1 bytes read back (%2 acknowledged sectors of the first %3), %4 sectors differ%5</source>
        <translation>  vérification : %1 octets relus (%2 secteurs acquittés parmi les %3 premiers), %4 secteurs diffèrent%5</translation>
    </message>
    <message>
        <source>  first error: %1</source>
        <translation>  première erreur : %1</translation>
    </message>
    <message>
        <source>  verify error: %1</source>
        <translation>  erreur de vérification : %1</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Afficher cette aide.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>Sortie lisible par une machine (JSON).</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>utilisation : etherdiskctl %1</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>Utilisation : etherdiskctl %1</translation>
    </message>
    <message>
        <source>which target? e.g. etherdiskctl %1 e1.2 -i eth1</source>
        <translation>quelle cible ? par exemple etherdiskctl %1 e1.2 -i eth1</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>argument inattendu « %1 »</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>cible « %1 » non valide : eSHELF.SLOT attendu, avec un shelf inférieur à 65535 et un slot inférieur à 255, par exemple e1.2</translation>
    </message>
    <message>
        <source>invalid --%1 &quot;%2&quot;: expected a number from %3 to %4</source>
        <translation>--%1 « %2 » non valide : nombre de %3 à %4 attendu</translation>
    </message>
    <message>
        <source>network interface %1 is down</source>
        <translation>l&apos;interface réseau %1 est désactivée</translation>
    </message>
    <message>
        <source>Lists every AoE target that answers on the interfaces (default: every Ethernet interface that is up) by broadcasting Query Config, as aoe-stat would after a discover, but without the kernel driver.</source>
        <translation>Liste toutes les cibles AoE qui répondent sur les interfaces (par défaut : toutes les interfaces Ethernet actives) en diffusant Query Config, comme aoe-stat après un discover, mais sans le pilote du noyau.</translation>
    </message>
    <message>
        <source>Listen and ask on IF (repeat, or separate with commas).</source>
        <translation>Écouter et interroger sur IF (à répéter, ou séparer par des virgules).</translation>
    </message>
    <message>
        <source>Keep running and print each change (added, changed, lost, recovered, conflict, malformed, removed; suppressed and overflow summarize what was left out) with a timestamp; with --json one object per line.</source>
        <translation>Continuer et afficher chaque changement avec un horodatage (added, changed, lost, recovered, conflict, malformed, removed ; suppressed et overflow résument ce qui a été omis) ; avec --json, un objet par ligne.</translation>
    </message>
    <message>
        <source>Without --watch: listen this long before printing (default 2).</source>
        <translation>Sans --watch : écouter pendant cette durée avant d&apos;afficher (2 par défaut).</translation>
    </message>
    <message>
        <source>Seconds between broadcast polls (default 2).</source>
        <translation>Secondes entre deux interrogations par diffusion (2 par défaut).</translation>
    </message>
    <message>
        <source>With --watch: forget a lost target once it has been silent this many seconds, and report it removed (default: keep it listed as lost).</source>
        <translation>Avec --watch : oublier une cible perdue restée muette pendant ce nombre de secondes et la signaler comme retirée (par défaut : la garder dans la liste comme perdue).</translation>
    </message>
    <message>
        <source>A target is lost after this many unanswered polls (default 2).</source>
        <translation>Une cible est perdue après ce nombre d&apos;interrogations sans réponse (2 par défaut).</translation>
    </message>
    <message>
        <source>invalid --missed &quot;%1&quot;: expected a whole number</source>
        <translation>--missed « %1 » non valide : nombre entier attendu</translation>
    </message>
    <message>
        <source>no Ethernet interface is up; name one with -i</source>
        <translation>aucune interface Ethernet n&apos;est active ; indiquez-en une avec -i</translation>
    </message>
    <message>
        <source>poll: %1</source>
        <translation>poll : %1</translation>
    </message>
    <message>
        <source>No AoE target answered on %1 within %2 s.</source>
        <translation>Aucune cible AoE n&apos;a répondu sur %1 en %2 s.</translation>
    </message>
    <message>
        <source>Malformed replies (not trusted):</source>
        <translation>Réponses mal formées (non fiables) :</translation>
    </message>
    <message>
        <source>  e%1.%2 from %3 on %4: %5 (%6 times)</source>
        <translation>  e%1.%2 de %3 sur %4 : %5 (%6 fois)</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl COMMAND [OPTIONS]

ATA over Ethernet from the command line.

</source>
        <translation>Utilisation : etherdiskctl COMMANDE [OPTIONS]

ATA over Ethernet en ligne de commande.

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
Parlent eux-mêmes AoE en Ethernet brut (root ou CAP_NET_RAW ; ni pilote
du noyau, ni helper) :
  discover   lister toutes les cibles AoE du réseau local ; --watch suit les changements
  probe      tout sur une cible : sa configuration, les champs IDENTIFY
             et la plus grande charge utile que porte chaque chemin
  bench      mesurer une cible : Mo/s, IOPS et percentiles de latence

« etherdiskctl COMMANDE --help » décrit chaque commande ; etherdiskctl(1) dit tout.
  -h, --help     ce texte
  --version      la version
</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>commande inconnue « %1 »</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>  path %1 via %2 (MTU %3, round trip %4 ms)</source>
        <translation>  chemin %1 via %2 (MTU %3, aller-retour %4 ms)</translation>
    </message>
    <message>
        <source>    config: buffer count %1, firmware 0x%2, %3 sectors per command, AoE version %4</source>
        <translation>    configuration : %1 tampons, micrologiciel 0x%2, %3 secteurs par commande, version AoE %4</translation>
    </message>
    <message>
        <source>    config string: %1</source>
        <translation>    chaîne de configuration : %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(aucune)</translation>
    </message>
    <message>
        <source>    payload: target takes %1, local MTU carries %2 bytes per frame</source>
        <translation>    charge utile : la cible accepte %1, la MTU locale porte %2 octets par trame</translation>
    </message>
    <message>
        <source>; no test frame got through</source>
        <translation> ; aucune trame de test n&apos;est passée</translation>
    </message>
    <message>
        <source>; %1 bytes get through both ways</source>
        <translation> ; %1 octets passent dans les deux sens</translation>
    </message>
    <message>
        <source>; %1 bytes get through to the target</source>
        <translation> ; %1 octets parviennent jusqu&apos;à la cible</translation>
    </message>
    <message>
        <source>    model: %1</source>
        <translation>    modèle : %1</translation>
    </message>
    <message>
        <source>    serial: %1</source>
        <translation>    numéro de série : %1</translation>
    </message>
    <message>
        <source>    firmware: %1</source>
        <translation>    micrologiciel : %1</translation>
    </message>
    <message>
        <source>    capacity: %1 sectors (%2), LBA28 capacity %3 sectors</source>
        <translation>    capacité : %1 secteurs (%2), capacité LBA28 %3 secteurs</translation>
    </message>
    <message>
        <source>    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, checksum: %4</source>
        <translation>    LBA48 : %1, FLUSH CACHE : %2, FLUSH CACHE EXT : %3, somme de contrôle : %4</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>valide</translation>
    </message>
    <message>
        <source>INVALID</source>
        <translation>NON VALIDE</translation>
    </message>
    <message>
        <source>    IDENTIFY: %1</source>
        <translation>    IDENTIFY : %1</translation>
    </message>
    <message>
        <source>    warning: %1</source>
        <translation>    avertissement : %1</translation>
    </message>
    <message>
        <source>Asks one target for its configuration and ATA IDENTIFY page on every path (responding MAC x local interface), and measures the largest payload each path carries in both directions, as aoeping -I and aoe-sancheck do. Nothing is written.</source>
        <translation>Demande à une cible sa configuration et sa page ATA IDENTIFY sur chaque chemin (MAC qui répond × interface locale) et mesure la plus grande charge utile que chaque chemin porte dans les deux sens, comme aoeping -I et aoe-sancheck. Rien n&apos;est écrit.</translation>
    </message>
    <message>
        <source>Ask on IF (repeat, or separate with commas; default: every Ethernet interface that is up).</source>
        <translation>Interroger sur IF (à répéter, ou séparer par des virgules ; par défaut : toutes les interfaces Ethernet actives).</translation>
    </message>
    <message>
        <source>Seconds to wait for each answer (default 1).</source>
        <translation>Secondes d&apos;attente pour chaque réponse (1 par défaut).</translation>
    </message>
    <message>
        <source>Do not measure the payload each path carries.</source>
        <translation>Ne pas mesurer la charge utile de chaque chemin.</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n path(s)</source>
        <translation>
            <numerusform>%1 : %n chemin</numerusform>
            <numerusform>%1 : %n chemins</numerusform>
        </translation>
    </message>
    <message>
        <source>  warning: %1</source>
        <translation>  avertissement : %1</translation>
    </message>
</context>
<context>
    <name>DBusCtl</name>
    <message>
        <source>etherdisk-helper is not running and could not be started: is the etherdisk-helper package installed? (systemctl status etherdisk-helper)</source>
        <translation>etherdisk-helper ne tourne pas et n&apos;a pas pu être démarré : le paquet etherdisk-helper est-il installé ? (systemctl status etherdisk-helper)</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Afficher cette aide.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>Sortie lisible par une machine (JSON).</translation>
    </message>
    <message>
        <source>Fail instead of asking for a password.</source>
        <translation>Échouer au lieu de demander un mot de passe.</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>Utilisation : etherdiskctl %1</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>utilisation : etherdiskctl %1</translation>
    </message>
    <message>
        <source>missing %1</source>
        <translation>%1 manquant</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>argument inattendu « %1 »</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>cible « %1 » non valide : eSHELF.SLOT attendu, avec un shelf inférieur à 65535 et un slot inférieur à 255, par exemple e1.2</translation>
    </message>
    <message>
        <source>invalid MAC address &quot;%1&quot; for --allow: expected aa:bb:cc:dd:ee:ff, not a group address</source>
        <translation>adresse MAC « %1 » non valide pour --allow : aa:bb:cc:dd:ee:ff attendu, pas une adresse de groupe</translation>
    </message>
    <message>
        <source>invalid --write-mode &quot;%1&quot;: expected writeback, sync or direct</source>
        <translation>--write-mode « %1 » non valide : writeback, sync ou direct attendu</translation>
    </message>
    <message>
        <source>cannot connect to the system bus</source>
        <translation>impossible de se connecter au bus système</translation>
    </message>
    <message>
        <source>Every AoE target etherdisk-helper sees on the LAN, like aoe-stat. When the helper&apos;s discovery is not running, it is started for this command and given 3 s to find the targets.</source>
        <translation>Toutes les cibles AoE que etherdisk-helper voit sur le réseau local, comme aoe-stat. Si la découverte du helper ne tourne pas, elle est lancée pour cette commande et dispose de 3 s pour trouver les cibles.</translation>
    </message>
    <message>
        <source>Every export etherdisk-helper serves.</source>
        <translation>Tous les exports que sert etherdisk-helper.</translation>
    </message>
    <message>
        <source>Serve a block device or an image file as AoE target eSHELF.SLOT.</source>
        <translation>Servir un périphérique bloc ou un fichier image comme cible AoE eSHELF.SLOT.</translation>
    </message>
    <message>
        <source>Serve on this network interface (repeatable).</source>
        <translation>Servir sur cette interface réseau (à répéter si besoin).</translation>
    </message>
    <message>
        <source>Refuse writes.</source>
        <translation>Refuser les écritures.</translation>
    </message>
    <message>
        <source>Only this initiator MAC may use it (repeatable).</source>
        <translation>Seule cette adresse MAC d&apos;initiateur peut l&apos;utiliser (à répéter si besoin).</translation>
    </message>
    <message>
        <source>writeback (default), sync or direct.</source>
        <translation>writeback (par défaut), sync ou direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts (exports.conf).</source>
        <translation>Le servir de nouveau au démarrage du helper (exports.conf).</translation>
    </message>
    <message>
        <source>Export a device although it is in use (mounted, holds a mounted partition, swap, held by dm/md).</source>
        <translation>Exporter un périphérique bien qu&apos;il soit utilisé (monté, contenant une partition montée, swap, tenu par dm/md).</translation>
    </message>
    <message>
        <source>on which network interface? e.g. -i eth0</source>
        <translation>sur quelle interface réseau ? par exemple -i eth0</translation>
    </message>
    <message>
        <source>cannot use %1: %2</source>
        <translation>impossible d&apos;utiliser %1 : %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading: %2</source>
        <translation>impossible d&apos;ouvrir %1 en lecture : %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading and writing: %2 (export it with --read-only if reading is enough)</source>
        <translation>impossible d&apos;ouvrir %1 en lecture et écriture : %2 (exportez-le avec --read-only si la lecture suffit)</translation>
    </message>
    <message>
        <source>%1 is neither a block device nor a regular file</source>
        <translation>%1 n&apos;est ni un périphérique bloc ni un fichier ordinaire</translation>
    </message>
    <message>
        <source>Exported %1 as %2 on %3.</source>
        <translation>%1 exporté comme %2 sur %3.</translation>
    </message>
    <message>
        <source>Stop serving an export (and forget it if it was persistent).</source>
        <translation>Cesser de servir un export (et l&apos;oublier s&apos;il était persistant).</translation>
    </message>
    <message>
        <source>%1 is not exported by the helper (etherdiskctl exports)</source>
        <translation>%1 n&apos;est pas exporté par le helper (etherdiskctl exports)</translation>
    </message>
    <message>
        <source>Stopped exporting %1.</source>
        <translation>Export de %1 arrêté.</translation>
    </message>
    <message>
        <source>Change an export&apos;s settings while it serves (counters and requests in flight are kept).</source>
        <translation>Modifier les réglages d&apos;un export pendant qu&apos;il sert (les compteurs et les requêtes en cours sont conservés).</translation>
    </message>
    <message>
        <source>Refuse writes from now on.</source>
        <translation>Refuser désormais les écritures.</translation>
    </message>
    <message>
        <source>Accept writes again.</source>
        <translation>Accepter de nouveau les écritures.</translation>
    </message>
    <message>
        <source>Only these initiator MACs may use it (repeatable; replaces the list).</source>
        <translation>Seules ces adresses MAC d&apos;initiateur peuvent l&apos;utiliser (à répéter si besoin ; remplace la liste).</translation>
    </message>
    <message>
        <source>Every initiator may use it.</source>
        <translation>Tout initiateur peut l&apos;utiliser.</translation>
    </message>
    <message>
        <source>writeback, sync or direct.</source>
        <translation>writeback, sync ou direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts.</source>
        <translation>Le servir de nouveau au démarrage du helper.</translation>
    </message>
    <message>
        <source>Forget it when the helper stops.</source>
        <translation>L&apos;oublier à l&apos;arrêt du helper.</translation>
    </message>
    <message>
        <source>--read-only and --read-write exclude each other</source>
        <translation>--read-only et --read-write s&apos;excluent mutuellement</translation>
    </message>
    <message>
        <source>--persistent and --no-persistent exclude each other</source>
        <translation>--persistent et --no-persistent s&apos;excluent mutuellement</translation>
    </message>
    <message>
        <source>--allow and --allow-all exclude each other</source>
        <translation>--allow et --allow-all s&apos;excluent mutuellement</translation>
    </message>
    <message>
        <source>nothing to change: give --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent or --no-persistent</source>
        <translation>rien à modifier : indiquez --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent ou --no-persistent</translation>
    </message>
    <message>
        <source>Changed the settings of %1.</source>
        <translation>Réglages de %1 modifiés.</translation>
    </message>
    <message>
        <source>Attach a target through the Linux aoe driver: /dev/etherd/eSHELF.SLOT.</source>
        <translation>Attacher une cible par le pilote Linux aoe : /dev/etherd/eSHELF.SLOT.</translation>
    </message>
    <message>
        <source>Detach a target from the Linux aoe driver.</source>
        <translation>Détacher une cible du pilote Linux aoe.</translation>
    </message>
    <message>
        <source>Passed on to the helper; it still never detaches a disk that is mounted, open or held, because the driver would remove it under its users.</source>
        <translation>Transmis au helper ; il ne détache toutefois jamais un disque monté, ouvert ou tenu, car le pilote le retirerait sous les pieds de ses utilisateurs.</translation>
    </message>
    <message>
        <source>%1 is not known to the helper: is it on the LAN? (etherdiskctl list)</source>
        <translation>%1 est inconnu du helper : est-il sur le réseau local ? (etherdiskctl list)</translation>
    </message>
    <message>
        <source>Attached %1 as %2.</source>
        <translation>%1 attaché comme %2.</translation>
    </message>
    <message>
        <source>Detached %1.</source>
        <translation>%1 détaché.</translation>
    </message>
    <message>
        <source>Print every change of the helper&apos;s exports and targets as it happens, until Ctrl-C.</source>
        <translation>Afficher chaque changement des exports et des cibles du helper dès qu&apos;il survient, jusqu&apos;à Ctrl-C.</translation>
    </message>
    <message>
        <source>%1 helper connected (version %2): %3, %4</source>
        <translation>%1 helper connecté (version %2) : %3, %4</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s)</source>
        <translation>
            <numerusform>%n export</numerusform>
            <numerusform>%n exports</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n target(s)</source>
        <translation>
            <numerusform>%n cible</numerusform>
            <numerusform>%n cibles</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 helper gone: waiting for it to start again</source>
        <translation>%1 helper disparu : attente de son redémarrage</translation>
    </message>
    <message>
        <source>targets are not watched (the helper refused discovery: %1)</source>
        <translation>les cibles ne sont pas surveillées (le helper a refusé la découverte : %1)</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>commande inconnue « %1 »</translation>
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
        <translation>Par etherdisk-helper (le service système ; tout utilisateur, chaque changement vérifié
par polkit, un mot de passe demandé dans ce terminal si nécessaire) :
  list       toutes les cibles AoE que le helper voit sur le réseau local, comme aoe-stat
  exports    tous les exports que sert le helper, avec leurs clients et leur état
  export     servir un périphérique bloc ou un fichier image : export FICHIER e1.2 -i eth0
  unexport   cesser de servir un export
  set        modifier les réglages d&apos;un export pendant qu&apos;il sert
  attach     attacher une cible par le pilote Linux aoe
  detach     la détacher
  monitor    afficher chaque changement dès qu&apos;il survient, jusqu&apos;à Ctrl-C
</translation>
    </message>
    <message>
        <source>pkttyagent is not installed (Debian: package polkitd), so polkit cannot ask for a password in this terminal; a graphical polkit agent may still ask</source>
        <translation>pkttyagent n&apos;est pas installé (Debian : paquet polkitd) : polkit ne peut donc pas demander de mot de passe dans ce terminal ; un agent polkit graphique peut encore le faire</translation>
    </message>
    <message>
        <source>pkttyagent did not start (see its message above)</source>
        <translation>pkttyagent n&apos;a pas démarré (voir son message ci-dessus)</translation>
    </message>
    <message>
        <source>pkttyagent did not register with polkit in %1 s</source>
        <translation>pkttyagent ne s&apos;est pas enregistré auprès de polkit en %1 s</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Client::Model</name>
    <message>
        <source>GetManagedObjects returned nothing</source>
        <translation>GetManagedObjects n&apos;a rien renvoyé</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui</name>
    <message>
        <source>KiB</source>
        <translation>Kio</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>Mio</translation>
    </message>
    <message>
        <source>GiB</source>
        <translation>Gio</translation>
    </message>
    <message>
        <source>TiB</source>
        <translation>Tio</translation>
    </message>
    <message>
        <source>PiB</source>
        <translation>Pio</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 o</translation>
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
        <translation>Nouvel export</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>An &amp;image file</source>
        <translation>Un fichier &amp;image</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>Fichier image</translation>
    </message>
    <message>
        <source>/path/to/disk.img</source>
        <translation>/chemin/vers/disque.img</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Parcourir…</translation>
    </message>
    <message>
        <source>New image file</source>
        <translation>Nouveau fichier image</translation>
    </message>
    <message>
        <source>&amp;Create it, empty (sparse), of</source>
        <translation>&amp;Le créer, vide (creux), de</translation>
    </message>
    <message>
        <source>Size of the new image in MiB</source>
        <translation>Taille de la nouvelle image en Mio</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> Mio</translation>
    </message>
    <message>
        <source>A &amp;disk or partition</source>
        <translation>Un &amp;disque ou une partition</translation>
    </message>
    <message>
        <source>Disk or partition</source>
        <translation>Disque ou partition</translation>
    </message>
    <message>
        <source>Interfaces to serve on</source>
        <translation>Interfaces sur lesquelles servir</translation>
    </message>
    <message>
        <source>I&amp;nterfaces:</source>
        <translation>I&amp;nterfaces :</translation>
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
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>Lecture &amp;seule</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>Tout le réseau local</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>Liste d&apos;accès</translation>
    </message>
    <message>
        <source>Access &amp;list (MACs):</source>
        <translation>Liste d&apos;a&amp;ccès (MAC) :</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>Servir au dé&amp;marrage</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>E&amp;xporter</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>« %1 »</translation>
    </message>
    <message>
        <source> — cannot be exported: %1</source>
        <translation> — ne peut pas être exporté : %1</translation>
    </message>
    <message>
        <source>up</source>
        <comment>link</comment>
        <translation>active</translation>
    </message>
    <message>
        <source>down</source>
        <comment>link</comment>
        <translation>désactivée</translation>
    </message>
    <message>
        <source>no carrier</source>
        <comment>link</comment>
        <translation>pas de porteuse</translation>
    </message>
    <message>
        <source>%1 — link %2, MTU %3</source>
        <translation>%1 — lien %2, MTU %3</translation>
    </message>
    <message>
        <source>Choose at least one interface to serve on.</source>
        <translation>Choisissez au moins une interface sur laquelle servir.</translation>
    </message>
    <message>
        <source>Choose a disk or partition that can be exported.</source>
        <translation>Choisissez un disque ou une partition qui peut être exporté.</translation>
    </message>
    <message>
        <source>Choose an image file.</source>
        <translation>Choisissez un fichier image.</translation>
    </message>
    <message>
        <source>Cannot create %1: %2</source>
        <translation>Impossible de créer %1 : %2</translation>
    </message>
    <message>
        <source>Cannot make %1 that large: %2</source>
        <translation>Impossible de donner cette taille à %1 : %2</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>Impossible d&apos;ouvrir %1 : %2</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::ExportsModel</name>
    <message>
        <source>Write-back</source>
        <translation>Écriture différée</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>Synchrone</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direct</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>En service</translation>
    </message>
    <message>
        <source>Interface down</source>
        <translation>Interface désactivée</translation>
    </message>
    <message>
        <source>Disk or image failing</source>
        <translation>Disque ou image défaillant</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Lecture seule</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Tout le monde</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Interfaces</source>
        <translation>Interfaces</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Write mode</source>
        <translation>Mode d&apos;écriture</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>Accès</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lecture</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>Écriture</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Dernière erreur</translation>
    </message>
    <message>
        <source>Start at boot</source>
        <translation>Au démarrage</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::LocalSources</name>
    <message>
        <source>holds the system (%1)</source>
        <translation>contient le système (%1)</translation>
    </message>
    <message>
        <source>swap</source>
        <translation>swap</translation>
    </message>
    <message>
        <source>mounted at %1</source>
        <translation>monté sur %1</translation>
    </message>
    <message>
        <source>a partition: %1</source>
        <translation>une partition : %1</translation>
    </message>
    <message>
        <source>an optical drive</source>
        <translation>un lecteur optique</translation>
    </message>
    <message>
        <source>lsblk gave no readable list: %1</source>
        <translation>lsblk n&apos;a pas fourni de liste lisible : %1</translation>
    </message>
    <message>
        <source>lsblk failed: %1</source>
        <translation>lsblk a échoué : %1</translation>
    </message>
    <message>
        <source>it is not installed (package util-linux)</source>
        <translation>il n&apos;est pas installé (paquet util-linux)</translation>
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
        <translation>&amp;Attacher</translation>
    </message>
    <message>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <source>&amp;Detach</source>
        <translation>&amp;Détacher</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>&amp;Copier les détails</translation>
    </message>
    <message>
        <source>&amp;New export…</source>
        <translation>&amp;Nouvel export…</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>A&amp;rrêter</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>&amp;Edit settings…</source>
        <translation>&amp;Modifier les réglages…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Ac&amp;tualiser</translation>
    </message>
    <message>
        <source>Helper status</source>
        <translation>État du helper</translation>
    </message>
    <message>
        <source>Retry connecting to etherdisk-helper</source>
        <translation>Réessayer de se connecter à etherdisk-helper</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Vues</translation>
    </message>
    <message>
        <source>Network disks</source>
        <translation>Disques réseau</translation>
    </message>
    <message>
        <source>My exports</source>
        <translation>Mes exports</translation>
    </message>
    <message>
        <source>Filter network disks</source>
        <translation>Filtrer les disques réseau</translation>
    </message>
    <message>
        <source>Filter my exports</source>
        <translation>Filtrer mes exports</translation>
    </message>
    <message>
        <source>&lt;b&gt;etherdisk-helper is not running&lt;/b&gt;: %1</source>
        <translation>&lt;b&gt;etherdisk-helper ne tourne pas&lt;/b&gt; : %1</translation>
    </message>
    <message>
        <source>Start it with &lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt; (or install the etherdisk package, which lets the system bus start it when needed). This window reconnects by itself as soon as it runs.</source>
        <translation>Démarrez-le avec &lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt; (ou installez le paquet etherdisk, qui permet au bus système de le démarrer au besoin). Cette fenêtre se reconnecte d&apos;elle-même dès qu&apos;il tourne.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <source>it stopped or was restarted; waiting for it to come back</source>
        <translation>il s&apos;est arrêté ou a redémarré ; attente de son retour</translation>
    </message>
    <message>
        <source>Connected to etherdisk-helper %1</source>
        <translation>Connecté à etherdisk-helper %1</translation>
    </message>
    <message>
        <source>Discovery could not start: %1</source>
        <translation>La découverte n&apos;a pas pu démarrer : %1</translation>
    </message>
    <message>
        <source>%1 (asks for a password)</source>
        <translation>%1 (demande un mot de passe)</translation>
    </message>
    <message>
        <source>%1 (not allowed for your account)</source>
        <translation>%1 (non autorisé pour votre compte)</translation>
    </message>
    <message numerus="yes">
        <source>Connected to etherdisk-helper %1 · %n network disk(s)</source>
        <translation>
            <numerusform>Connecté à etherdisk-helper %1 · %n disque réseau</numerusform>
            <numerusform>Connecté à etherdisk-helper %1 · %n disques réseau</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n export(s)</source>
        <translation>
            <numerusform> · %n export</numerusform>
            <numerusform> · %n exports</numerusform>
        </translation>
    </message>
    <message>
        <source>Attaching %1…</source>
        <translation>Attachement de %1…</translation>
    </message>
    <message>
        <source>Could not attach %1: %2</source>
        <translation>Impossible d&apos;attacher %1 : %2</translation>
    </message>
    <message>
        <source>%1 is attached as %2</source>
        <translation>%1 est attaché comme %2</translation>
    </message>
    <message>
        <source>Could not detach %1: %2</source>
        <translation>Impossible de détacher %1 : %2</translation>
    </message>
    <message>
        <source>%1 is detached</source>
        <translation>%1 est détaché</translation>
    </message>
    <message>
        <source>%1 is the device %2</source>
        <translation>%1 est le périphérique %2</translation>
    </message>
    <message>
        <source>%1 is the device %2; mounting it failed: %3</source>
        <translation>%1 est le périphérique %2 ; le montage a échoué : %3</translation>
    </message>
    <message>
        <source>%1 is mounted at %2</source>
        <translation>%1 est monté sur %2</translation>
    </message>
    <message>
        <source>The details of %1 are on the clipboard</source>
        <translation>Les détails de %1 sont dans le presse-papiers</translation>
    </message>
    <message>
        <source>%1 is exported</source>
        <translation>%1 est exporté</translation>
    </message>
    <message>
        <source>Could not stop %1: %2</source>
        <translation>Impossible d&apos;arrêter %1 : %2</translation>
    </message>
    <message>
        <source>%1 is no longer exported</source>
        <translation>%1 n&apos;est plus exporté</translation>
    </message>
    <message>
        <source>The settings of %1 are changed</source>
        <translation>Les réglages de %1 sont modifiés</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>Ré&amp;essayer</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Paramètres</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::Notifier</name>
    <message>
        <source>%1 is lost</source>
        <translation>%1 est perdu</translation>
    </message>
    <message>
        <source>The network disk %1 (%2) stopped answering. Programs using it wait until it comes back.</source>
        <translation>Le disque réseau %1 (%2) ne répond plus. Les programmes qui l&apos;utilisent attendent son retour.</translation>
    </message>
    <message>
        <source>attached</source>
        <translation>attaché</translation>
    </message>
    <message>
        <source>%1 is back</source>
        <translation>%1 est de retour</translation>
    </message>
    <message>
        <source>The network disk %1 answers again.</source>
        <translation>Le disque réseau %1 répond de nouveau.</translation>
    </message>
    <message>
        <source>Open Etherdisk</source>
        <translation>Ouvrir Etherdisk</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::SettingsDialog</name>
    <message>
        <source>“%1” is not a MAC address (like 02:ae:00:00:00:07)</source>
        <translation>« %1 » n&apos;est pas une adresse MAC (comme 02:ae:00:00:00:07)</translation>
    </message>
    <message>
        <source>Settings of %1</source>
        <translation>Réglages de %1</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Source :</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>Lecture &amp;seule</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>Tout le réseau local</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>Liste d&apos;accès</translation>
    </message>
    <message>
        <source>&amp;Access list (MACs):</source>
        <translation>Liste d&apos;a&amp;ccès (MAC) :</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>Servir au dé&amp;marrage</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::StartAtLoginAction</name>
    <message>
        <source>&amp;Start Etherdisk when I log in</source>
        <translation>&amp;Démarrer Etherdisk à l&apos;ouverture de session</translation>
    </message>
    <message>
        <source>Starts Etherdisk in the tray when you log in (%1)</source>
        <translation>Démarre Etherdisk dans la zone de notification à l&apos;ouverture de session (%1)</translation>
    </message>
    <message>
        <source>Etherdisk cannot start when you log in: %1.</source>
        <translation>Etherdisk ne peut pas démarrer à l&apos;ouverture de session : %1.</translation>
    </message>
    <message>
        <source>Etherdisk would still start when you log in: %1.</source>
        <translation>Etherdisk démarrerait encore à l&apos;ouverture de session : %1.</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TargetsModel</name>
    <message>
        <source>Online</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Perdu</translation>
    </message>
    <message>
        <source>Address conflict</source>
        <translation>Conflit d&apos;adresse</translation>
    </message>
    <message>
        <source>Malformed replies</source>
        <translation>Réponses mal formées</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Adresse : %1</translation>
    </message>
    <message>
        <source>Capacity: %1 (%2 bytes)</source>
        <translation>Capacité : %1 (%2 octets)</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modèle : %1</translation>
    </message>
    <message>
        <source>Serial: %1</source>
        <translation>Numéro de série : %1</translation>
    </message>
    <message>
        <source>Firmware: %1</source>
        <translation>Micrologiciel : %1</translation>
    </message>
    <message>
        <source>Paths: %1</source>
        <translation>Chemins : %1</translation>
    </message>
    <message>
        <source>Payload: %1 bytes per frame</source>
        <translation>Charge utile : %1 octets par trame</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>État : %1</translation>
    </message>
    <message>
        <source>Conflict: %1</source>
        <translation>Conflit : %1</translation>
    </message>
    <message>
        <source>Attached as: %1</source>
        <translation>Attaché comme : %1</translation>
    </message>
    <message>
        <source>not attached</source>
        <translation>non attaché</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 o</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 octets</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>Capacité</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Interfaces and MACs</source>
        <translation>Interfaces et MAC</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Charge utile</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Attached as</source>
        <translation>Attaché comme</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TrayIcon</name>
    <message>
        <source>&amp;Open Etherdisk</source>
        <translation>&amp;Ouvrir Etherdisk</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>etherdisk-helper is not running</source>
        <translation>etherdisk-helper ne tourne pas</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s) served</source>
        <translation>
            <numerusform>%n export servi</numerusform>
            <numerusform>%n exports servis</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) attached</source>
        <translation>
            <numerusform>%n disque attaché</numerusform>
            <numerusform>%n disques attachés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) lost</source>
        <translation>
            <numerusform>%n disque perdu</numerusform>
            <numerusform>%n disques perdus</numerusform>
        </translation>
    </message>
    <message>
        <source>Etherdisk: %1</source>
        <translation>Etherdisk : %1</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 comme %2</translation>
    </message>
    <message>
        <source> (lost)</source>
        <translation> (perdu)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>Attached &amp;disks</source>
        <translation>Disques a&amp;ttachés</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::WriteModeChoice</name>
    <message>
        <source>Write mode</source>
        <translation>Mode d&apos;écriture</translation>
    </message>
    <message>
        <source>Write-back (fastest)</source>
        <translation>Écriture différée (la plus rapide)</translation>
    </message>
    <message>
        <source>A crash or power loss of this machine can lose the last writes the other side believes are on disk.</source>
        <translation>Un plantage ou une coupure de courant de cette machine peut perdre les dernières écritures que l&apos;autre côté croit sur le disque.</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>Synchrone</translation>
    </message>
    <message>
        <source>Every acknowledged write is on stable storage: a crash loses nothing that was acknowledged.</source>
        <translation>Chaque écriture acquittée est sur un stockage stable : un plantage ne perd rien de ce qui a été acquitté.</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direct</translation>
    </message>
    <message>
        <source>As synchronous, bypassing this machine&apos;s page cache: a crash loses nothing acknowledged; not for 4K-sector disks.</source>
        <translation>Comme synchrone, en contournant le cache de pages de cette machine : un plantage ne perd rien d&apos;acquitté ; pas pour les disques à secteurs de 4K.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>the views were not ready in time</source>
        <translation>les vues n&apos;étaient pas prêtes à temps</translation>
    </message>
    <message>
        <source>ATA over Ethernet disks: the LAN&apos;s shelves, your exports.</source>
        <translation>Disques ATA over Ethernet : les shelves du réseau local, vos exports.</translation>
    </message>
    <message>
        <source>Save a picture of each main view into DIR, then quit.</source>
        <translation>Enregistrer une image de chaque vue principale dans DIR, puis quitter.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N network disks.</source>
        <translation>Avec --screenshots : attendre N disques réseau.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N exports.</source>
        <translation>Avec --screenshots : attendre N exports.</translation>
    </message>
    <message>
        <source>Start in the tray, without the window (where there is a tray; used when starting at login).</source>
        <translation>Démarrer dans la zone de notification, sans la fenêtre (là où il y en a une ; utilisé au démarrage de la session).</translation>
    </message>
</context>
</TS>
