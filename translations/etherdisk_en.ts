<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Ctl</name>
    <message numerus="yes">
        <source>%1: %n path(s)</source>
        <translation>
            <numerusform>%1: one path</numerusform>
            <numerusform>%1: %n paths</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DBusCtl</name>
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
            <numerusform>%n target</numerusform>
            <numerusform>%n targets</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::MainWindow</name>
    <message numerus="yes">
        <source>Connected to etherdisk-helper %1 · %n network disk(s)</source>
        <translation>
            <numerusform>Connected to etherdisk-helper %1 · %n network disk</numerusform>
            <numerusform>Connected to etherdisk-helper %1 · %n network disks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n export(s)</source>
        <translation>
            <numerusform> · %n export</numerusform>
            <numerusform> · %n exports</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Etherdisk::Ui::TrayIcon</name>
    <message numerus="yes">
        <source>%n export(s) served</source>
        <translation>
            <numerusform>%n export served</numerusform>
            <numerusform>%n exports served</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) attached</source>
        <translation>
            <numerusform>%n disk attached</numerusform>
            <numerusform>%n disks attached</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s) lost</source>
        <translation>
            <numerusform>%n disk lost</numerusform>
            <numerusform>%n disks lost</numerusform>
        </translation>
    </message>
</context>
</TS>
