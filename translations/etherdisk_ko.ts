<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>Autostart</name>
    <message>
        <source>%1 is not a folder</source>
        <translation>%1은(는) 폴더가 아닙니다</translation>
    </message>
    <message>
        <source>the folder %1 cannot be created</source>
        <translation>%1 폴더를 만들 수 없습니다</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 cannot be removed: %2</source>
        <translation>%1을(를) 지울 수 없습니다: %2</translation>
    </message>
    <message>
        <source>etherdisk: no system tray is available, so --minimized shows the window anyway (until a tray appears, closing it quits Etherdisk)</source>
        <translation>etherdisk: 시스템 트레이가 없으므로 --minimized여도 창을 표시합니다(트레이가 나타나기 전까지는 창을 닫으면 Etherdisk가 종료됩니다)</translation>
    </message>
</context>
<context>
    <name>Ctl</name>
    <message>
        <source>Reads or writes one target over raw Ethernet for a while and reports MB/s, IOPS, latency percentiles and retransmissions. Write modes overwrite the target&apos;s data and need --destructive.</source>
        <translation>원시 이더넷으로 대상을 일정 시간 읽거나 쓰고 MB/s, IOPS, 지연 시간 백분위수, 재전송 횟수를 보고합니다. 쓰기 모드는 대상의 데이터를 덮어쓰므로 --destructive가 필요합니다.</translation>
    </message>
    <message>
        <source>The interface that reaches the target.</source>
        <translation>대상에 닿는 인터페이스.</translation>
    </message>
    <message>
        <source>seqread (default), seqwrite, randread or randwrite.</source>
        <translation>seqread(기본값), seqwrite, randread 또는 randwrite.</translation>
    </message>
    <message>
        <source>Frames in flight (default: the target&apos;s buffer count, which also caps it).</source>
        <translation>동시에 전송 중인 프레임 수(기본값: 대상의 버퍼 수이며, 이것이 상한이기도 합니다).</translation>
    </message>
    <message>
        <source>How long to run (default 10).</source>
        <translation>실행 시간(초, 기본값 10).</translation>
    </message>
    <message>
        <source>Bytes per request, a multiple of 512 (default: one frame).</source>
        <translation>요청당 바이트 수, 512의 배수(기본값: 프레임 하나).</translation>
    </message>
    <message>
        <source>Behave like a simple initiator: take one answer at a time, send the next frame at once on its own, and busy-poll instead of sleeping (uses a whole core).</source>
        <translation>단순한 이니시에이터처럼 동작합니다: 응답을 하나씩 받고, 다음 프레임을 즉시 따로 보내며, 잠들지 않고 계속 폴링합니다(코어 하나를 모두 사용).</translation>
    </message>
    <message>
        <source>Writes carry a pattern that is read back and checked afterwards; reads are checked against it.</source>
        <translation>쓰기는 나중에 다시 읽어 확인하는 패턴을 기록하고, 읽기는 그 패턴과 대조합니다.</translation>
    </message>
    <message>
        <source>With --verify and a write mode: save every sector whose write was acknowledged to FILE, one &quot;LBA SECTORS&quot; line per run, to check the target&apos;s disk independently.</source>
        <translation>--verify와 쓰기 모드를 함께 쓸 때: 쓰기가 확인된 모든 섹터를 FILE에 구간마다 &quot;LBA SECTORS&quot; 한 줄로 저장하여 대상의 디스크를 따로 검사할 수 있게 합니다.</translation>
    </message>
    <message>
        <source>Allow the write modes to overwrite the target.</source>
        <translation>쓰기 모드가 대상을 덮어쓰도록 허용합니다.</translation>
    </message>
    <message>
        <source>Also report the CPU time this local process (the target) used per GB moved.</source>
        <translation>이 로컬 프로세스(대상)가 전송한 GB당 사용한 CPU 시간도 보고합니다.</translation>
    </message>
    <message>
        <source>Fail a request unanswered this many seconds (default 30).</source>
        <translation>이 시간(초) 동안 응답이 없는 요청은 실패로 처리합니다(기본값 30).</translation>
    </message>
    <message>
        <source>The target, e.g. e1.2.</source>
        <translation>대상, 예: e1.2.</translation>
    </message>
    <message>
        <source>bench needs exactly one interface: -i IF</source>
        <translation>bench에는 인터페이스가 정확히 하나 필요합니다: -i IF</translation>
    </message>
    <message>
        <source>invalid --mode &quot;%1&quot;: expected seqread, seqwrite, randread or randwrite</source>
        <translation>잘못된 --mode &quot;%1&quot;: seqread, seqwrite, randread, randwrite 중 하나여야 합니다</translation>
    </message>
    <message>
        <source>%1 overwrites the data on %2: add --destructive if that is what you want</source>
        <translation>%1은(는) %2의 데이터를 덮어씁니다. 정말 원한다면 --destructive를 추가하십시오</translation>
    </message>
    <message>
        <source>--window must be a whole number</source>
        <translation>--window는 정수여야 합니다</translation>
    </message>
    <message>
        <source>--target-pid %1: no such process</source>
        <translation>--target-pid %1: 그런 프로세스가 없습니다</translation>
    </message>
    <message>
        <source>--size must be a multiple of 512 bytes</source>
        <translation>--size는 512바이트의 배수여야 합니다</translation>
    </message>
    <message>
        <source>--acked needs --verify and a write mode</source>
        <translation>--acked에는 --verify와 쓰기 모드가 필요합니다</translation>
    </message>
    <message>
        <source>--acked %1: cannot write a file there</source>
        <translation>--acked %1: 그 위치에 파일을 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>%1 %2 on %3 (%4): %5 bytes per request, %6-byte frames, window %7 (target buffer count %8), %9 requests in flight</source>
        <translation>%1 %2, %3 경유(%4): 요청당 %5바이트, %6바이트 프레임, 창 %7(대상 버퍼 수 %8), 전송 중인 요청 %9개</translation>
    </message>
    <message>
        <source>  %1 MB/s, %2 IOPS over %3 s (%4 requests, %5 bytes)%6</source>
        <translation>  %3초 동안 %1 MB/s, %2 IOPS(요청 %4개, %5바이트)%6</translation>
    </message>
    <message>
        <source>, stopped early</source>
        <translation>, 일찍 중단됨</translation>
    </message>
    <message>
        <source>  latency us: p50 %1, p90 %2, p99 %3, max %4</source>
        <translation>  지연 시간(µs): p50 %1, p90 %2, p99 %3, 최대 %4</translation>
    </message>
    <message>
        <source>  retransmits %1, ignored responses %2, errors %3, srtt %4 us, rto %5 us</source>
        <translation>  재전송 %1, 무시한 응답 %2, 오류 %3, srtt %4 µs, rto %5 µs</translation>
    </message>
    <message>
        <source>  bench CPU %1 s (%2 s/GB)</source>
        <translation>  bench CPU %1초(%2초/GB)</translation>
    </message>
    <message>
        <source>  target pid %1 CPU %2 s (%3 s/GB)</source>
        <translation>  대상 PID %1 CPU %2초(%3초/GB)</translation>
    </message>
    <message>
        <source>  verify: %1 requests with data not matching the pattern%2</source>
        <translation>  검증: 패턴과 일치하지 않는 데이터가 있는 요청 %1개%2</translation>
    </message>
    <message>
        <source> (first at LBA %1)</source>
        <translation> (첫 위치 LBA %1)</translation>
    </message>
    <message>
        <source>  verify: %1 bytes read back (%2 acknowledged sectors of the first %3), %4 sectors differ%5</source>
        <translation>  검증: %1바이트를 다시 읽음(처음 %3개 섹터 중 확인된 섹터 %2개), 다른 섹터 %4개%5</translation>
    </message>
    <message>
        <source>  first error: %1</source>
        <translation>  첫 오류: %1</translation>
    </message>
    <message>
        <source>  verify error: %1</source>
        <translation>  검증 오류: %1</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>이 도움말을 표시합니다.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>기계가 읽을 수 있는 출력(JSON).</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>사용법: etherdiskctl %1</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>사용법: etherdiskctl %1</translation>
    </message>
    <message>
        <source>which target? e.g. etherdiskctl %1 e1.2 -i eth1</source>
        <translation>어느 대상입니까? 예: etherdiskctl %1 e1.2 -i eth1</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>예상하지 못한 인수 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>잘못된 대상 &quot;%1&quot;: shelf가 65535 미만, slot이 255 미만인 eSHELF.SLOT 형식이어야 합니다(예: e1.2)</translation>
    </message>
    <message>
        <source>invalid --%1 &quot;%2&quot;: expected a number from %3 to %4</source>
        <translation>잘못된 --%1 &quot;%2&quot;: %3에서 %4 사이의 숫자여야 합니다</translation>
    </message>
    <message>
        <source>network interface %1 is down</source>
        <translation>네트워크 인터페이스 %1이(가) 꺼져 있습니다</translation>
    </message>
    <message>
        <source>Lists every AoE target that answers on the interfaces (default: every Ethernet interface that is up) by broadcasting Query Config, as aoe-stat would after a discover, but without the kernel driver.</source>
        <translation>Query Config를 브로드캐스트하여 인터페이스(기본값: 켜져 있는 모든 이더넷 인터페이스)에서 응답하는 모든 AoE 대상을 나열합니다. discover 후의 aoe-stat과 같지만 커널 드라이버가 필요 없습니다.</translation>
    </message>
    <message>
        <source>Listen and ask on IF (repeat, or separate with commas).</source>
        <translation>IF에서 듣고 질의합니다(반복하거나 쉼표로 구분).</translation>
    </message>
    <message>
        <source>Keep running and print each change (added, changed, lost, recovered, conflict, malformed, removed; suppressed and overflow summarize what was left out) with a timestamp; with --json one object per line.</source>
        <translation>계속 실행하면서 각 변경(added, changed, lost, recovered, conflict, malformed, removed; suppressed와 overflow는 생략된 것을 요약)을 타임스탬프와 함께 출력합니다. --json을 쓰면 한 줄에 객체 하나입니다.</translation>
    </message>
    <message>
        <source>Without --watch: listen this long before printing (default 2).</source>
        <translation>--watch 없이: 출력하기 전에 이 시간 동안 듣습니다(기본값 2).</translation>
    </message>
    <message>
        <source>Seconds between broadcast polls (default 2).</source>
        <translation>브로드캐스트 폴링 간격(초, 기본값 2).</translation>
    </message>
    <message>
        <source>With --watch: forget a lost target once it has been silent this many seconds, and report it removed (default: keep it listed as lost).</source>
        <translation>--watch와 함께: 잃은 대상이 이 시간(초) 동안 응답이 없으면 잊고 제거됨으로 보고합니다(기본값: 잃음으로 계속 표시).</translation>
    </message>
    <message>
        <source>A target is lost after this many unanswered polls (default 2).</source>
        <translation>응답 없는 폴링이 이 횟수만큼 이어지면 대상을 잃은 것으로 봅니다(기본값 2).</translation>
    </message>
    <message>
        <source>invalid --missed &quot;%1&quot;: expected a whole number</source>
        <translation>잘못된 --missed &quot;%1&quot;: 정수여야 합니다</translation>
    </message>
    <message>
        <source>no Ethernet interface is up; name one with -i</source>
        <translation>켜져 있는 이더넷 인터페이스가 없습니다. -i로 지정하십시오</translation>
    </message>
    <message>
        <source>poll: %1</source>
        <translation>poll: %1</translation>
    </message>
    <message>
        <source>No AoE target answered on %1 within %2 s.</source>
        <translation>%1에서 %2초 안에 응답한 AoE 대상이 없습니다.</translation>
    </message>
    <message>
        <source>Malformed replies (not trusted):</source>
        <translation>형식이 잘못된 응답(신뢰하지 않음):</translation>
    </message>
    <message>
        <source>  e%1.%2 from %3 on %4: %5 (%6 times)</source>
        <translation>  %4의 %3에서 온 e%1.%2: %5(%6회)</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl COMMAND [OPTIONS]

ATA over Ethernet from the command line.

</source>
        <translation>사용법: etherdiskctl 명령 [옵션]

명령줄에서 쓰는 ATA over Ethernet.

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
원시 이더넷으로 직접 AoE를 사용하는 명령(root 또는 CAP_NET_RAW 필요, 커널
드라이버와 helper 불필요):
  discover   LAN의 모든 AoE 대상 나열, --watch는 변경을 계속 추적
  probe      대상 하나의 모든 것: 구성, IDENTIFY 필드, 경로마다
             실을 수 있는 가장 큰 페이로드
  bench      대상 측정: MB/s, IOPS, 지연 시간 백분위수

&quot;etherdiskctl 명령 --help&quot;가 각 명령을 설명하며, etherdiskctl(1)에 모두 있습니다.
  -h, --help     이 도움말
  --version      버전
</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>알 수 없는 명령 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>예</translation>
    </message>
    <message>
        <source>no</source>
        <translation>아니요</translation>
    </message>
    <message>
        <source>  path %1 via %2 (MTU %3, round trip %4 ms)</source>
        <translation>  경로 %1, %2 경유(MTU %3, 왕복 %4ms)</translation>
    </message>
    <message>
        <source>    config: buffer count %1, firmware 0x%2, %3 sectors per command, AoE version %4</source>
        <translation>    구성: 버퍼 수 %1, 펌웨어 0x%2, 명령당 섹터 %3개, AoE 버전 %4</translation>
    </message>
    <message>
        <source>    config string: %1</source>
        <translation>    구성 문자열: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(없음)</translation>
    </message>
    <message>
        <source>    payload: target takes %1, local MTU carries %2 bytes per frame</source>
        <translation>    페이로드: 대상은 %1, 로컬 MTU는 프레임당 %2바이트 수용</translation>
    </message>
    <message>
        <source>; no test frame got through</source>
        <translation>; 통과한 시험 프레임 없음</translation>
    </message>
    <message>
        <source>; %1 bytes get through both ways</source>
        <translation>; 양방향으로 %1바이트 통과</translation>
    </message>
    <message>
        <source>; %1 bytes get through to the target</source>
        <translation>; 대상까지 %1바이트 통과</translation>
    </message>
    <message>
        <source>    model: %1</source>
        <translation>    모델: %1</translation>
    </message>
    <message>
        <source>    serial: %1</source>
        <translation>    일련번호: %1</translation>
    </message>
    <message>
        <source>    firmware: %1</source>
        <translation>    펌웨어: %1</translation>
    </message>
    <message>
        <source>    capacity: %1 sectors (%2), LBA28 capacity %3 sectors</source>
        <translation>    용량: 섹터 %1개(%2), LBA28 용량 섹터 %3개</translation>
    </message>
    <message>
        <source>    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, checksum: %4</source>
        <translation>    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, 체크섬: %4</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>유효</translation>
    </message>
    <message>
        <source>INVALID</source>
        <translation>잘못됨</translation>
    </message>
    <message>
        <source>    IDENTIFY: %1</source>
        <translation>    IDENTIFY: %1</translation>
    </message>
    <message>
        <source>    warning: %1</source>
        <translation>    경고: %1</translation>
    </message>
    <message>
        <source>Asks one target for its configuration and ATA IDENTIFY page on every path (responding MAC x local interface), and measures the largest payload each path carries in both directions, as aoeping -I and aoe-sancheck do. Nothing is written.</source>
        <translation>모든 경로(응답하는 MAC × 로컬 인터페이스)에서 대상 하나에 구성과 ATA IDENTIFY 페이지를 묻고, 경로마다 양방향으로 실을 수 있는 가장 큰 페이로드를 aoeping -I와 aoe-sancheck처럼 측정합니다. 아무것도 쓰지 않습니다.</translation>
    </message>
    <message>
        <source>Ask on IF (repeat, or separate with commas; default: every Ethernet interface that is up).</source>
        <translation>IF에서 질의합니다(반복하거나 쉼표로 구분, 기본값: 켜져 있는 모든 이더넷 인터페이스).</translation>
    </message>
    <message>
        <source>Seconds to wait for each answer (default 1).</source>
        <translation>응답마다 기다리는 시간(초, 기본값 1).</translation>
    </message>
    <message>
        <source>Do not measure the payload each path carries.</source>
        <translation>경로마다 실을 수 있는 페이로드를 측정하지 않습니다.</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n path(s)</source>
        <translation>
            <numerusform>%1: 경로 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>  warning: %1</source>
        <translation>  경고: %1</translation>
    </message>
</context>
<context>
    <name>DBusCtl</name>
    <message>
        <source>etherdisk-helper is not running and could not be started: is the etherdisk-helper package installed? (systemctl status etherdisk-helper)</source>
        <translation>etherdisk-helper가 실행 중이 아니며 시작할 수도 없습니다. etherdisk-helper 패키지가 설치되어 있습니까? (systemctl status etherdisk-helper)</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>이 도움말을 표시합니다.</translation>
    </message>
    <message>
        <source>Machine-readable output (JSON).</source>
        <translation>기계가 읽을 수 있는 출력(JSON).</translation>
    </message>
    <message>
        <source>Fail instead of asking for a password.</source>
        <translation>암호를 묻지 않고 실패합니다.</translation>
    </message>
    <message>
        <source>Usage: etherdiskctl %1</source>
        <translation>사용법: etherdiskctl %1</translation>
    </message>
    <message>
        <source>usage: etherdiskctl %1</source>
        <translation>사용법: etherdiskctl %1</translation>
    </message>
    <message>
        <source>missing %1</source>
        <translation>%1이(가) 없습니다</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>예상하지 못한 인수 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>invalid target &quot;%1&quot;: expected eSHELF.SLOT with a shelf below 65535 and a slot below 255, e.g. e1.2</source>
        <translation>잘못된 대상 &quot;%1&quot;: shelf가 65535 미만, slot이 255 미만인 eSHELF.SLOT 형식이어야 합니다(예: e1.2)</translation>
    </message>
    <message>
        <source>invalid MAC address &quot;%1&quot; for --allow: expected aa:bb:cc:dd:ee:ff, not a group address</source>
        <translation>--allow의 MAC 주소 &quot;%1&quot;이(가) 잘못되었습니다: 그룹 주소가 아닌 aa:bb:cc:dd:ee:ff 형식이어야 합니다</translation>
    </message>
    <message>
        <source>invalid --write-mode &quot;%1&quot;: expected writeback, sync or direct</source>
        <translation>잘못된 --write-mode &quot;%1&quot;: writeback, sync, direct 중 하나여야 합니다</translation>
    </message>
    <message>
        <source>cannot connect to the system bus</source>
        <translation>시스템 버스에 연결할 수 없습니다</translation>
    </message>
    <message>
        <source>Every AoE target etherdisk-helper sees on the LAN, like aoe-stat. When the helper&apos;s discovery is not running, it is started for this command and given 3 s to find the targets.</source>
        <translation>etherdisk-helper가 LAN에서 보는 모든 AoE 대상을 aoe-stat처럼 보여 줍니다. helper의 탐색이 실행 중이 아니면 이 명령을 위해 시작하고 대상을 찾을 시간으로 3초를 줍니다.</translation>
    </message>
    <message>
        <source>Every export etherdisk-helper serves.</source>
        <translation>etherdisk-helper가 제공하는 모든 내보내기.</translation>
    </message>
    <message>
        <source>Serve a block device or an image file as AoE target eSHELF.SLOT.</source>
        <translation>블록 장치나 이미지 파일을 AoE 대상 eSHELF.SLOT으로 제공합니다.</translation>
    </message>
    <message>
        <source>Serve on this network interface (repeatable).</source>
        <translation>이 네트워크 인터페이스에서 제공합니다(반복 가능).</translation>
    </message>
    <message>
        <source>Refuse writes.</source>
        <translation>쓰기를 거부합니다.</translation>
    </message>
    <message>
        <source>Only this initiator MAC may use it (repeatable).</source>
        <translation>이 개시자 MAC만 사용할 수 있습니다(반복 가능).</translation>
    </message>
    <message>
        <source>writeback (default), sync or direct.</source>
        <translation>writeback(기본값), sync 또는 direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts (exports.conf).</source>
        <translation>helper가 시작할 때 다시 제공합니다(exports.conf).</translation>
    </message>
    <message>
        <source>Export a device although it is in use (mounted, holds a mounted partition, swap, held by dm/md).</source>
        <translation>사용 중인 장치도 내보냅니다(마운트됨, 마운트된 파티션 포함, 스왑, dm/md가 점유).</translation>
    </message>
    <message>
        <source>on which network interface? e.g. -i eth0</source>
        <translation>어느 네트워크 인터페이스입니까? 예: -i eth0</translation>
    </message>
    <message>
        <source>cannot use %1: %2</source>
        <translation>%1을(를) 사용할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading: %2</source>
        <translation>%1을(를) 읽기용으로 열 수 없습니다: %2</translation>
    </message>
    <message>
        <source>cannot open %1 for reading and writing: %2 (export it with --read-only if reading is enough)</source>
        <translation>%1을(를) 읽기/쓰기용으로 열 수 없습니다: %2(읽기만으로 충분하면 --read-only로 내보내십시오)</translation>
    </message>
    <message>
        <source>%1 is neither a block device nor a regular file</source>
        <translation>%1은(는) 블록 장치도 일반 파일도 아닙니다</translation>
    </message>
    <message>
        <source>Exported %1 as %2 on %3.</source>
        <translation>%1을(를) %3에서 %2(으)로 내보냈습니다.</translation>
    </message>
    <message>
        <source>Stop serving an export (and forget it if it was persistent).</source>
        <translation>내보내기 제공을 멈춥니다(영구 설정이었다면 잊습니다).</translation>
    </message>
    <message>
        <source>%1 is not exported by the helper (etherdiskctl exports)</source>
        <translation>helper가 %1을(를) 내보내고 있지 않습니다(etherdiskctl exports)</translation>
    </message>
    <message>
        <source>Stopped exporting %1.</source>
        <translation>%1 내보내기를 멈췄습니다.</translation>
    </message>
    <message>
        <source>Change an export&apos;s settings while it serves (counters and requests in flight are kept).</source>
        <translation>제공 중인 내보내기의 설정을 바꿉니다(카운터와 처리 중인 요청은 유지됩니다).</translation>
    </message>
    <message>
        <source>Refuse writes from now on.</source>
        <translation>이제부터 쓰기를 거부합니다.</translation>
    </message>
    <message>
        <source>Accept writes again.</source>
        <translation>쓰기를 다시 받아들입니다.</translation>
    </message>
    <message>
        <source>Only these initiator MACs may use it (repeatable; replaces the list).</source>
        <translation>이 개시자 MAC들만 사용할 수 있습니다(반복 가능, 목록을 대체).</translation>
    </message>
    <message>
        <source>Every initiator may use it.</source>
        <translation>모든 개시자가 사용할 수 있습니다.</translation>
    </message>
    <message>
        <source>writeback, sync or direct.</source>
        <translation>writeback, sync 또는 direct.</translation>
    </message>
    <message>
        <source>Serve it again when the helper starts.</source>
        <translation>helper가 시작할 때 다시 제공합니다.</translation>
    </message>
    <message>
        <source>Forget it when the helper stops.</source>
        <translation>helper가 멈추면 잊습니다.</translation>
    </message>
    <message>
        <source>--read-only and --read-write exclude each other</source>
        <translation>--read-only와 --read-write는 함께 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>--persistent and --no-persistent exclude each other</source>
        <translation>--persistent와 --no-persistent는 함께 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>--allow and --allow-all exclude each other</source>
        <translation>--allow와 --allow-all은 함께 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>nothing to change: give --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent or --no-persistent</source>
        <translation>바꿀 것이 없습니다: --read-only, --read-write, --allow, --allow-all, --write-mode, --persistent, --no-persistent 중 하나를 지정하십시오</translation>
    </message>
    <message>
        <source>Changed the settings of %1.</source>
        <translation>%1의 설정을 바꿨습니다.</translation>
    </message>
    <message>
        <source>Attach a target through the Linux aoe driver: /dev/etherd/eSHELF.SLOT.</source>
        <translation>Linux aoe 드라이버로 대상을 연결합니다: /dev/etherd/eSHELF.SLOT.</translation>
    </message>
    <message>
        <source>Detach a target from the Linux aoe driver.</source>
        <translation>Linux aoe 드라이버에서 대상의 연결을 해제합니다.</translation>
    </message>
    <message>
        <source>Passed on to the helper; it still never detaches a disk that is mounted, open or held, because the driver would remove it under its users.</source>
        <translation>helper에 전달됩니다. 그래도 helper는 마운트되었거나 열려 있거나 점유된 디스크의 연결을 해제하지 않습니다. 드라이버가 사용 중인 디스크를 없애 버리기 때문입니다.</translation>
    </message>
    <message>
        <source>%1 is not known to the helper: is it on the LAN? (etherdiskctl list)</source>
        <translation>helper가 %1을(를) 알지 못합니다. LAN에 있습니까? (etherdiskctl list)</translation>
    </message>
    <message>
        <source>Attached %1 as %2.</source>
        <translation>%1을(를) %2(으)로 연결했습니다.</translation>
    </message>
    <message>
        <source>Detached %1.</source>
        <translation>%1의 연결을 해제했습니다.</translation>
    </message>
    <message>
        <source>Print every change of the helper&apos;s exports and targets as it happens, until Ctrl-C.</source>
        <translation>helper의 내보내기와 대상이 바뀔 때마다 Ctrl-C를 누를 때까지 출력합니다.</translation>
    </message>
    <message>
        <source>%1 helper connected (version %2): %3, %4</source>
        <translation>%1 helper 연결됨(버전 %2): %3, %4</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s)</source>
        <translation>
            <numerusform>내보내기 %n개</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n target(s)</source>
        <translation>
            <numerusform>대상 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 helper gone: waiting for it to start again</source>
        <translation>%1 helper 사라짐: 다시 시작하기를 기다리는 중</translation>
    </message>
    <message>
        <source>targets are not watched (the helper refused discovery: %1)</source>
        <translation>대상을 지켜보지 않습니다(helper가 탐색을 거부함: %1)</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot;</source>
        <translation>알 수 없는 명령 &quot;%1&quot;</translation>
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
        <translation>etherdisk-helper를 통하는 명령(시스템 서비스, 모든 사용자가 사용 가능, 모든 변경은
polkit이 확인하며 필요하면 이 터미널에서 암호를 묻습니다):
  list       helper가 LAN에서 보는 모든 AoE 대상(aoe-stat과 같음)
  exports    helper가 제공하는 모든 내보내기와 그 클라이언트, 상태
  export     블록 장치나 이미지 파일 제공: export FILE e1.2 -i eth0
  unexport   내보내기 제공 중지
  set        제공 중인 내보내기의 설정 변경
  attach     Linux aoe 드라이버로 대상 연결
  detach     다시 연결 해제
  monitor    Ctrl-C를 누를 때까지 모든 변경을 바로 출력
</translation>
    </message>
    <message>
        <source>pkttyagent is not installed (Debian: package polkitd), so polkit cannot ask for a password in this terminal; a graphical polkit agent may still ask</source>
        <translation>pkttyagent가 설치되어 있지 않아(Debian: polkitd 패키지) polkit이 이 터미널에서 암호를 물을 수 없습니다. 그래픽 polkit 에이전트가 대신 물을 수는 있습니다</translation>
    </message>
    <message>
        <source>pkttyagent did not start (see its message above)</source>
        <translation>pkttyagent가 시작하지 않았습니다(위의 메시지 참조)</translation>
    </message>
    <message>
        <source>pkttyagent did not register with polkit in %1 s</source>
        <translation>pkttyagent가 %1초 안에 polkit에 등록하지 않았습니다</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Client::Model</name>
    <message>
        <source>GetManagedObjects returned nothing</source>
        <translation>GetManagedObjects가 아무것도 돌려주지 않았습니다</translation>
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
        <translation>새 내보내기</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>원본</translation>
    </message>
    <message>
        <source>An &amp;image file</source>
        <translation>이미지 파일(&amp;I)</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>이미지 파일</translation>
    </message>
    <message>
        <source>/path/to/disk.img</source>
        <translation>/경로/disk.img</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>찾아보기(&amp;B)…</translation>
    </message>
    <message>
        <source>New image file</source>
        <translation>새 이미지 파일</translation>
    </message>
    <message>
        <source>&amp;Create it, empty (sparse), of</source>
        <translation>비어 있는 희소 파일로 새로 만들기(&amp;C), 크기</translation>
    </message>
    <message>
        <source>Size of the new image in MiB</source>
        <translation>새 이미지의 크기(MiB)</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>A &amp;disk or partition</source>
        <translation>디스크 또는 파티션(&amp;D)</translation>
    </message>
    <message>
        <source>Disk or partition</source>
        <translation>디스크 또는 파티션</translation>
    </message>
    <message>
        <source>Interfaces to serve on</source>
        <translation>제공할 인터페이스</translation>
    </message>
    <message>
        <source>I&amp;nterfaces:</source>
        <translation>인터페이스(&amp;N):</translation>
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
        <translation>주소(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>읽기 전용(&amp;R)</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>LAN의 모든 사용자</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>접근 목록</translation>
    </message>
    <message>
        <source>Access &amp;list (MACs):</source>
        <translation>접근 목록(MAC)(&amp;L):</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>부팅 시 시작(&amp;S)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>오류</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>내보내기(&amp;E)</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>“%1”</translation>
    </message>
    <message>
        <source> — cannot be exported: %1</source>
        <translation> — 내보낼 수 없음: %1</translation>
    </message>
    <message>
        <source>up</source>
        <comment>link</comment>
        <translation>켜짐</translation>
    </message>
    <message>
        <source>down</source>
        <comment>link</comment>
        <translation>꺼짐</translation>
    </message>
    <message>
        <source>no carrier</source>
        <comment>link</comment>
        <translation>신호 없음</translation>
    </message>
    <message>
        <source>%1 — link %2, MTU %3</source>
        <translation>%1 — 링크 %2, MTU %3</translation>
    </message>
    <message>
        <source>Choose at least one interface to serve on.</source>
        <translation>제공할 인터페이스를 하나 이상 고르십시오.</translation>
    </message>
    <message>
        <source>Choose a disk or partition that can be exported.</source>
        <translation>내보낼 수 있는 디스크나 파티션을 고르십시오.</translation>
    </message>
    <message>
        <source>Choose an image file.</source>
        <translation>이미지 파일을 고르십시오.</translation>
    </message>
    <message>
        <source>Cannot create %1: %2</source>
        <translation>%1을(를) 만들 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Cannot make %1 that large: %2</source>
        <translation>%1을(를) 그 크기로 만들 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1을(를) 열 수 없습니다: %2</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::ExportsModel</name>
    <message>
        <source>Write-back</source>
        <translation>나중 쓰기</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>동기</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>직접</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>제공 중</translation>
    </message>
    <message>
        <source>Interface down</source>
        <translation>인터페이스 꺼짐</translation>
    </message>
    <message>
        <source>Disk or image failing</source>
        <translation>디스크 또는 이미지 오류</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>멈춤</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>읽기 전용</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>모두</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>예</translation>
    </message>
    <message>
        <source>No</source>
        <translation>아니요</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>원본</translation>
    </message>
    <message>
        <source>Interfaces</source>
        <translation>인터페이스</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Write mode</source>
        <translation>쓰기 모드</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>접근</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>클라이언트</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>읽기</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>쓰기</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>마지막 오류</translation>
    </message>
    <message>
        <source>Start at boot</source>
        <translation>부팅 시 시작</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::LocalSources</name>
    <message>
        <source>holds the system (%1)</source>
        <translation>시스템이 있음(%1)</translation>
    </message>
    <message>
        <source>swap</source>
        <translation>스왑</translation>
    </message>
    <message>
        <source>mounted at %1</source>
        <translation>%1에 마운트됨</translation>
    </message>
    <message>
        <source>a partition: %1</source>
        <translation>파티션: %1</translation>
    </message>
    <message>
        <source>an optical drive</source>
        <translation>광학 드라이브</translation>
    </message>
    <message>
        <source>lsblk gave no readable list: %1</source>
        <translation>lsblk가 읽을 수 있는 목록을 주지 않았습니다: %1</translation>
    </message>
    <message>
        <source>lsblk failed: %1</source>
        <translation>lsblk 실패: %1</translation>
    </message>
    <message>
        <source>it is not installed (package util-linux)</source>
        <translation>설치되어 있지 않습니다(util-linux 패키지)</translation>
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
        <translation>연결(&amp;A)</translation>
    </message>
    <message>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <source>&amp;Detach</source>
        <translation>연결 해제(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>열기(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>세부 정보 복사(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;New export…</source>
        <translation>새 내보내기(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>중지(&amp;S)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>&amp;Edit settings…</source>
        <translation>설정 편집(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>새로 고침(&amp;R)</translation>
    </message>
    <message>
        <source>Helper status</source>
        <translation>helper 상태</translation>
    </message>
    <message>
        <source>Retry connecting to etherdisk-helper</source>
        <translation>etherdisk-helper에 다시 연결 시도</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>보기</translation>
    </message>
    <message>
        <source>Network disks</source>
        <translation>네트워크 디스크</translation>
    </message>
    <message>
        <source>My exports</source>
        <translation>내 내보내기</translation>
    </message>
    <message>
        <source>Filter network disks</source>
        <translation>네트워크 디스크 필터</translation>
    </message>
    <message>
        <source>Filter my exports</source>
        <translation>내 내보내기 필터</translation>
    </message>
    <message>
        <source>&lt;b&gt;etherdisk-helper is not running&lt;/b&gt;: %1</source>
        <translation>&lt;b&gt;etherdisk-helper가 실행 중이 아닙니다&lt;/b&gt;: %1</translation>
    </message>
    <message>
        <source>Start it with &lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt; (or install the etherdisk package, which lets the system bus start it when needed). This window reconnects by itself as soon as it runs.</source>
        <translation>&lt;tt&gt;sudo systemctl start etherdisk-helper&lt;/tt&gt;로 시작하십시오(또는 etherdisk 패키지를 설치하면 필요할 때 시스템 버스가 시작합니다). helper가 실행되면 이 창이 저절로 다시 연결합니다.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>연결되지 않음</translation>
    </message>
    <message>
        <source>it stopped or was restarted; waiting for it to come back</source>
        <translation>helper가 멈췄거나 다시 시작되었습니다. 돌아오기를 기다리는 중</translation>
    </message>
    <message>
        <source>Connected to etherdisk-helper %1</source>
        <translation>etherdisk-helper %1에 연결됨</translation>
    </message>
    <message>
        <source>Discovery could not start: %1</source>
        <translation>탐색을 시작할 수 없습니다: %1</translation>
    </message>
    <message>
        <source>%1 (asks for a password)</source>
        <translation>%1(암호를 물음)</translation>
    </message>
    <message>
        <source>%1 (not allowed for your account)</source>
        <translation>%1(이 계정에는 허용되지 않음)</translation>
    </message>
    <message numerus="yes">
        <source>Connected to etherdisk-helper %1 · %n network disk(s)</source>
        <translation>
            <numerusform>etherdisk-helper %1에 연결됨 · 네트워크 디스크 %n개</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n export(s)</source>
        <translation>
            <numerusform> · 내보내기 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>Attaching %1…</source>
        <translation>%1 연결 중…</translation>
    </message>
    <message>
        <source>Could not attach %1: %2</source>
        <translation>%1을(를) 연결할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is attached as %2</source>
        <translation>%1이(가) %2(으)로 연결되었습니다</translation>
    </message>
    <message>
        <source>Could not detach %1: %2</source>
        <translation>%1의 연결을 해제할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is detached</source>
        <translation>%1의 연결이 해제되었습니다</translation>
    </message>
    <message>
        <source>%1 is the device %2</source>
        <translation>%1은(는) 장치 %2입니다</translation>
    </message>
    <message>
        <source>%1 is the device %2; mounting it failed: %3</source>
        <translation>%1은(는) 장치 %2입니다. 마운트하지 못했습니다: %3</translation>
    </message>
    <message>
        <source>%1 is mounted at %2</source>
        <translation>%1이(가) %2에 마운트되었습니다</translation>
    </message>
    <message>
        <source>The details of %1 are on the clipboard</source>
        <translation>%1의 세부 정보를 클립보드에 복사했습니다</translation>
    </message>
    <message>
        <source>%1 is exported</source>
        <translation>%1을(를) 내보냈습니다</translation>
    </message>
    <message>
        <source>Could not stop %1: %2</source>
        <translation>%1을(를) 중지할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is no longer exported</source>
        <translation>%1을(를) 더 이상 내보내지 않습니다</translation>
    </message>
    <message>
        <source>The settings of %1 are changed</source>
        <translation>%1의 설정을 바꿨습니다</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>다시 시도(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::Notifier</name>
    <message>
        <source>%1 is lost</source>
        <translation>%1을(를) 잃었습니다</translation>
    </message>
    <message>
        <source>The network disk %1 (%2) stopped answering. Programs using it wait until it comes back.</source>
        <translation>네트워크 디스크 %1(%2)이(가) 응답을 멈췄습니다. 이 디스크를 쓰는 프로그램은 디스크가 돌아올 때까지 기다립니다.</translation>
    </message>
    <message>
        <source>attached</source>
        <translation>연결됨</translation>
    </message>
    <message>
        <source>%1 is back</source>
        <translation>%1이(가) 돌아왔습니다</translation>
    </message>
    <message>
        <source>The network disk %1 answers again.</source>
        <translation>네트워크 디스크 %1이(가) 다시 응답합니다.</translation>
    </message>
    <message>
        <source>Open Etherdisk</source>
        <translation>Etherdisk 열기</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::SettingsDialog</name>
    <message>
        <source>“%1” is not a MAC address (like 02:ae:00:00:00:07)</source>
        <translation>“%1”은(는) MAC 주소가 아닙니다(예: 02:ae:00:00:00:07)</translation>
    </message>
    <message>
        <source>Settings of %1</source>
        <translation>%1 설정</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>원본:</translation>
    </message>
    <message>
        <source>&amp;Read-only</source>
        <translation>읽기 전용(&amp;R)</translation>
    </message>
    <message>
        <source>Everyone on the LAN</source>
        <translation>LAN의 모든 사용자</translation>
    </message>
    <message>
        <source>Access list</source>
        <translation>접근 목록</translation>
    </message>
    <message>
        <source>&amp;Access list (MACs):</source>
        <translation>접근 목록(MAC)(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Start at boot</source>
        <translation>부팅 시 시작(&amp;S)</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::StartAtLoginAction</name>
    <message>
        <source>&amp;Start Etherdisk when I log in</source>
        <translation>로그인할 때 Etherdisk 시작(&amp;S)</translation>
    </message>
    <message>
        <source>Starts Etherdisk in the tray when you log in (%1)</source>
        <translation>로그인할 때 Etherdisk를 트레이에서 시작합니다(%1)</translation>
    </message>
    <message>
        <source>Etherdisk cannot start when you log in: %1.</source>
        <translation>로그인할 때 Etherdisk를 시작하도록 설정할 수 없습니다: %1.</translation>
    </message>
    <message>
        <source>Etherdisk would still start when you log in: %1.</source>
        <translation>로그인할 때 Etherdisk가 계속 시작됩니다: %1.</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TargetsModel</name>
    <message>
        <source>Online</source>
        <translation>온라인</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>잃음</translation>
    </message>
    <message>
        <source>Address conflict</source>
        <translation>주소 충돌</translation>
    </message>
    <message>
        <source>Malformed replies</source>
        <translation>잘못된 형식의 응답</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>주소: %1</translation>
    </message>
    <message>
        <source>Capacity: %1 (%2 bytes)</source>
        <translation>용량: %1(%2바이트)</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>모델: %1</translation>
    </message>
    <message>
        <source>Serial: %1</source>
        <translation>일련번호: %1</translation>
    </message>
    <message>
        <source>Firmware: %1</source>
        <translation>펌웨어: %1</translation>
    </message>
    <message>
        <source>Paths: %1</source>
        <translation>경로: %1</translation>
    </message>
    <message>
        <source>Payload: %1 bytes per frame</source>
        <translation>페이로드: 프레임당 %1바이트</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>상태: %1</translation>
    </message>
    <message>
        <source>Conflict: %1</source>
        <translation>충돌: %1</translation>
    </message>
    <message>
        <source>Attached as: %1</source>
        <translation>연결된 장치: %1</translation>
    </message>
    <message>
        <source>not attached</source>
        <translation>연결되지 않음</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1바이트</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>용량</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Interfaces and MACs</source>
        <translation>인터페이스와 MAC</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>페이로드</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Attached as</source>
        <translation>연결된 장치</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TrayIcon</name>
    <message>
        <source>&amp;Open Etherdisk</source>
        <translation>Etherdisk 열기(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>etherdisk-helper is not running</source>
        <translation>etherdisk-helper가 실행 중이 아닙니다</translation>
    </message>
    <message numerus="yes">
        <source>%n export(s) served</source>
        <translation>
            <numerusform>내보내기 %n개 제공 중</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) attached</source>
        <translation>
            <numerusform>디스크 %n개 연결됨</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) lost</source>
        <translation>
            <numerusform>디스크 %n개 잃음</numerusform>
        </translation>
    </message>
    <message>
        <source>Etherdisk: %1</source>
        <translation>Etherdisk: %1</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1(%2)</translation>
    </message>
    <message>
        <source> (lost)</source>
        <translation> (잃음)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>Attached &amp;disks</source>
        <translation>연결된 디스크(&amp;D)</translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::WriteModeChoice</name>
    <message>
        <source>Write mode</source>
        <translation>쓰기 모드</translation>
    </message>
    <message>
        <source>Write-back (fastest)</source>
        <translation>나중 쓰기(가장 빠름)</translation>
    </message>
    <message>
        <source>A crash or power loss of this machine can lose the last writes the other side believes are on disk.</source>
        <translation>이 컴퓨터가 멈추거나 전원이 끊기면 상대편이 디스크에 기록되었다고 믿는 마지막 쓰기를 잃을 수 있습니다.</translation>
    </message>
    <message>
        <source>Synchronous</source>
        <translation>동기</translation>
    </message>
    <message>
        <source>Every acknowledged write is on stable storage: a crash loses nothing that was acknowledged.</source>
        <translation>확인된 쓰기는 모두 안정된 저장소에 있으므로 시스템이 멈춰도 확인된 것은 잃지 않습니다.</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>직접</translation>
    </message>
    <message>
        <source>As synchronous, bypassing this machine&apos;s page cache: a crash loses nothing acknowledged; not for 4K-sector disks.</source>
        <translation>동기 방식과 같되 이 컴퓨터의 페이지 캐시를 거치지 않습니다. 시스템이 멈춰도 확인된 것은 잃지 않으며, 4K 섹터 디스크에는 쓸 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>the views were not ready in time</source>
        <translation>보기가 제때 준비되지 않았습니다</translation>
    </message>
    <message>
        <source>ATA over Ethernet disks: the LAN&apos;s shelves, your exports.</source>
        <translation>ATA over Ethernet 디스크: LAN의 shelf와 내 내보내기.</translation>
    </message>
    <message>
        <source>Save a picture of each main view into DIR, then quit.</source>
        <translation>각 주 보기의 그림을 DIR에 저장한 뒤 끝냅니다.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N network disks.</source>
        <translation>--screenshots와 함께: 네트워크 디스크 N개를 기다립니다.</translation>
    </message>
    <message>
        <source>With --screenshots: wait for N exports.</source>
        <translation>--screenshots와 함께: 내보내기 N개를 기다립니다.</translation>
    </message>
    <message>
        <source>Start in the tray, without the window (where there is a tray; used when starting at login).</source>
        <translation>창 없이 트레이에서 시작합니다(트레이가 있는 경우; 로그인 시 시작할 때 사용).</translation>
    </message>
</context>
</TS>
