// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "objecttree.h"

#include <QDBusAbstractAdaptor>
#include <QDBusMessage>
#include <QMetaClassInfo>
#include <QMetaProperty>

namespace Etherdisk::Helper {

namespace {

    QString interfaceName(const QObject *adaptor)
    {
        const QMetaObject *mo = adaptor->metaObject();
        const int i = mo->indexOfClassInfo("D-Bus Interface");
        return i < 0 ? QString() : QString::fromLatin1(mo->classInfo(i).value());
    }

    QList<QDBusAbstractAdaptor *> adaptorsOf(const QObject *object)
    {
        return object->findChildren<QDBusAbstractAdaptor *>(Qt::FindDirectChildrenOnly);
    }

    QVariantMap propertiesOf(const QDBusAbstractAdaptor *adaptor)
    {
        QVariantMap result;
        const QMetaObject *mo = adaptor->metaObject();
        for (int i = mo->propertyOffset(); i < mo->propertyCount(); ++i) {
            const QMetaProperty p = mo->property(i);
            result.insert(QString::fromLatin1(p.name()), p.read(adaptor));
        }
        return result;
    }

    // org.freedesktop.DBus.ObjectManager. Its signals are declared here for
    // introspection; ObjectTree sends them itself (QtDBus does not relay a
    // signal whose arguments are container types it met after the adaptor).
    class ObjectManagerAdaptor : public QDBusAbstractAdaptor
    {
        Q_OBJECT
        Q_CLASSINFO("D-Bus Interface", "org.freedesktop.DBus.ObjectManager")
    public:
        ObjectManagerAdaptor(QObject *parent, ObjectTree *tree)
            : QDBusAbstractAdaptor(parent), m_tree(tree)
        {
        }

    public Q_SLOTS:
        ManagedObjects GetManagedObjects()
        {
            Q_EMIT m_tree->managedObjectsRequested();
            return m_tree->managedObjects();
        }

    Q_SIGNALS:
        void InterfacesAdded(const QDBusObjectPath &object, const InterfaceProperties &interfaces);
        void InterfacesRemoved(const QDBusObjectPath &object, const QStringList &interfaces);

    private:
        ObjectTree *m_tree;
    };

} // namespace

ObjectTree::ObjectTree(const QDBusConnection &bus, const QString &rootPath, int coalesceMs,
                       QObject *parent)
    : QObject(parent), m_bus(bus), m_root(rootPath)
{
    registerDBusTypes();
    m_timer.setSingleShot(true);
    m_timer.setInterval(coalesceMs);
    connect(&m_timer, &QTimer::timeout, this, &ObjectTree::flush);
    new ObjectManagerAdaptor(&m_rootObject, this);
}

ObjectTree::~ObjectTree()
{
    for (auto it = m_objects.cbegin(); it != m_objects.cend(); ++it)
        m_bus.unregisterObject(it.key());
    m_bus.unregisterObject(m_root);
}

bool ObjectTree::registerRoot(QString *error)
{
    if (!m_bus.registerObject(m_root, &m_rootObject, QDBusConnection::ExportAdaptors)) {
        *error = QStringLiteral("cannot register the object manager at %1: %2")
                     .arg(m_root, m_bus.lastError().message());
        return false;
    }
    return true;
}

bool ObjectTree::add(const QString &path, QObject *object, QString *error)
{
    if (!path.startsWith(m_root + QLatin1Char('/'))) {
        *error = QStringLiteral("%1 is not below %2").arg(path, m_root);
        return false;
    }
    if (m_objects.contains(path)) {
        *error = QStringLiteral("%1 is already registered").arg(path);
        return false;
    }
    if (!m_bus.registerObject(path, object, QDBusConnection::ExportAdaptors)) {
        *error = QStringLiteral("cannot register %1: %2").arg(path, m_bus.lastError().message());
        return false;
    }
    m_objects.insert(path, object);
    connect(object, &QObject::destroyed, this, [this, path] {
        m_objects.remove(path);
        m_pending.remove(path);
    });
    const InterfaceProperties interfaces = interfacesOf(path);
    QDBusMessage signal =
        QDBusMessage::createSignal(m_root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                   QStringLiteral("InterfacesAdded"));
    signal << QVariant::fromValue(QDBusObjectPath(path)) << QVariant::fromValue(interfaces);
    m_bus.send(signal);
    Q_EMIT interfacesAdded(QDBusObjectPath(path), interfaces);
    return true;
}

void ObjectTree::remove(const QString &path)
{
    const auto it = m_objects.find(path);
    if (it == m_objects.end())
        return;
    QStringList interfaces;
    if (QObject *object = it->data()) {
        disconnect(object, &QObject::destroyed, this, nullptr);
        for (const QDBusAbstractAdaptor *a : adaptorsOf(object))
            interfaces << interfaceName(a);
    }
    m_objects.erase(it);
    m_pending.remove(path);
    m_bus.unregisterObject(path);
    if (m_pending.isEmpty())
        m_timer.stop();
    QDBusMessage signal =
        QDBusMessage::createSignal(m_root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                   QStringLiteral("InterfacesRemoved"));
    signal << QVariant::fromValue(QDBusObjectPath(path)) << interfaces;
    m_bus.send(signal);
    Q_EMIT interfacesRemoved(QDBusObjectPath(path), interfaces);
}

void ObjectTree::changed(const QString &path, const QString &interface,
                         const QStringList &properties)
{
    if (!m_objects.contains(path) || properties.isEmpty())
        return;
    // What is emitted now no longer needs to be emitted later.
    auto pendingIt = m_pending.find(path);
    if (pendingIt != m_pending.end()) {
        auto ifaceIt = pendingIt->find(interface);
        if (ifaceIt != pendingIt->end()) {
            for (const QString &p : properties)
                ifaceIt->remove(p);
            if (ifaceIt->isEmpty())
                pendingIt->erase(ifaceIt);
        }
        if (pendingIt->isEmpty())
            m_pending.erase(pendingIt);
    }
    if (m_pending.isEmpty())
        m_timer.stop();
    emitChanged(path, interface, properties);
}

void ObjectTree::changedLater(const QString &path, const QString &interface,
                              const QStringList &properties)
{
    if (!m_objects.contains(path) || properties.isEmpty())
        return;
    QSet<QString> &set = m_pending[path][interface];
    for (const QString &p : properties)
        set.insert(p);
    if (!m_timer.isActive())
        m_timer.start();
}

void ObjectTree::flush()
{
    const auto pending = std::exchange(m_pending, {});
    for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
        for (auto iface = it->cbegin(); iface != it->cend(); ++iface) {
            QStringList names(iface->cbegin(), iface->cend());
            names.sort();
            emitChanged(it.key(), iface.key(), names);
        }
    }
}

void ObjectTree::emitChanged(const QString &path, const QString &interface,
                             const QStringList &properties)
{
    const QObject *object = m_objects.value(path).data();
    if (!object)
        return;
    for (const QDBusAbstractAdaptor *a : adaptorsOf(object)) {
        if (interfaceName(a) != interface)
            continue;
        QVariantMap values;
        for (const QString &name : properties) {
            const QVariant v = a->property(name.toLatin1().constData());
            if (v.isValid())
                values.insert(name, v);
        }
        if (values.isEmpty())
            return;
        QDBusMessage signal =
            QDBusMessage::createSignal(path, QStringLiteral("org.freedesktop.DBus.Properties"),
                                       QStringLiteral("PropertiesChanged"));
        signal << interface << values << QStringList();
        m_bus.send(signal);
        return;
    }
}

ManagedObjects ObjectTree::managedObjects() const
{
    ManagedObjects result;
    for (auto it = m_objects.cbegin(); it != m_objects.cend(); ++it)
        result.insert(QDBusObjectPath(it.key()), interfacesOf(it.key()));
    return result;
}

InterfaceProperties ObjectTree::interfacesOf(const QString &path) const
{
    InterfaceProperties result;
    const QObject *object = m_objects.value(path).data();
    if (!object)
        return result;
    for (const QDBusAbstractAdaptor *a : adaptorsOf(object))
        result.insert(interfaceName(a), propertiesOf(a));
    return result;
}

} // namespace Etherdisk::Helper

#include "objecttree.moc"
