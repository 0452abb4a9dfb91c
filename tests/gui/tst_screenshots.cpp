// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The app itself (build/app/etherdisk --screenshots) under a real X server
// (Xvfb, started here on a free display), against the real helper on a
// private system bus with a target and an export (tests/gui/guitestbus.h):
// it must wait for both, save a picture of each main view, and exit 0;
// each picture must be a real rendering (its window's size, many colours,
// not one flat colour). Fails if the app cannot reach the helper, does
// not wait for the views to fill, or saves blank images.
#include "guitestbus.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTest>

using namespace EtherdiskTest;

class tst_Screenshots final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void mainViews();

private:
    GuiTestBus m_lan;
    QProcess m_xvfb;
    QString m_display;
};

void tst_Screenshots::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("Xvfb") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    for (int n = 150; n < 250 && m_display.isEmpty(); ++n)
        if (!QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(n))
            && !QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)))
            m_display = QStringLiteral(":%1").arg(n);
    QVERIFY2(!m_display.isEmpty(), "no free X display number");
    m_xvfb.start(QStringLiteral("Xvfb"),
                 { m_display, QStringLiteral("-screen"), QStringLiteral("0"),
                   QStringLiteral("1280x800x24"), QStringLiteral("-nolisten"),
                   QStringLiteral("tcp") });
    QVERIFY(m_xvfb.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(
        QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(m_display.mid(1))), 10000);
    why = m_lan.start(QStringLiteral("guishot"));
    QVERIFY2(why.isEmpty(), qPrintable(why));
}

void tst_Screenshots::cleanupTestCase()
{
    m_lan.stop();
    if (m_xvfb.state() != QProcess::NotRunning) {
        m_xvfb.terminate();
        m_xvfb.waitForFinished(5000);
    }
}

void tst_Screenshots::mainViews()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 5, 1, 2048));
    QString error;
    QVERIFY2(!m_lan.exportImage(5, 2, 2048, {}, &error).isEmpty(), qPrintable(error));
    const QString dir = m_lan.tmpPath(QStringLiteral("shots"));
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), m_lan.address());
    env.insert(QStringLiteral("DISPLAY"), m_display);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // In A, where the helper's discovery runs (the app asks it to).
    app.start(QStringLiteral("ip"),
              { QStringLiteral("netns"), QStringLiteral("exec"), m_lan.net()->nsA(),
                QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk/etherdisk"),
                QStringLiteral("--screenshots"), dir, QStringLiteral("--wait-targets"),
                QStringLiteral("1"), QStringLiteral("--wait-exports"), QStringLiteral("1") });
    QVERIFY(app.waitForFinished(90000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    const QStringList printed = QString::fromLocal8Bit(app.readAllStandardOutput())
                                    .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(printed,
             (QStringList{ QDir(dir).filePath(QStringLiteral("network-disks.png")),
                           QDir(dir).filePath(QStringLiteral("my-exports.png")) }));
    for (const QString &file : printed) {
        QImage image(file);
        QVERIFY2(!image.isNull(), qPrintable(file));
        QVERIFY2(image.width() >= 640 && image.height() >= 400, qPrintable(file));
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() >= 16,
                 qPrintable(QStringLiteral("%1: %2 colours").arg(file).arg(colours.size())));
    }
}

QTEST_MAIN(tst_Screenshots)
#include "tst_screenshots.moc"
