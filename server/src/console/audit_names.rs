//! The names of audited actions, Russian then English (the codes the services write in the
//! audit log); a code this table does not know is shown as it is.

/// An audited action's name.
pub(crate) fn action(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "agency.create" => ("Создание органа", "Agency created"),
        "api_key.issue" => ("Выдача ключа API", "API key issued"),
        "api_key.revoke" => ("Отзыв ключа API", "API key revoked"),
        "audit.read" => ("Просмотр журнала аудита", "Audit log read"),
        "auth.login" => ("Вход", "Sign-in"),
        "auth.logout" => ("Выход", "Sign-out"),
        "blob.upload" => ("Загрузка файла", "File uploaded"),
        "checklist.put" => ("Проверочный лист", "Checklist saved"),
        "control_type.put" => ("Вид контроля", "Control type saved"),
        "device.enroll" => ("Подключение устройства", "Device enrolled"),
        "device.list" => ("Список устройств", "Devices listed"),
        "device.read" => ("Просмотр устройства", "Device read"),
        "device.revoke" => ("Отзыв устройства", "Device revoked"),
        "enrollment_code.create" => ("Код подключения", "Enrollment code issued"),
        "inspection.change" => ("Изменение проверки", "Inspection changed"),
        "inspection.create" => ("Создание проверки", "Inspection created"),
        "inspection.status" => ("Статус проверки", "Inspection status changed"),
        "object.import" => ("Импорт объектов", "Objects imported"),
        "object.put" => ("Объект", "Object saved"),
        "object.risk" => ("Категория риска", "Risk category decided"),
        "record.read" => ("Просмотр записи", "Record read"),
        "registry.read" => ("Просмотр реестра", "Registry read"),
        "requirement.put" => ("Обязательное требование", "Requirement saved"),
        "review_flag.resolve" => ("Решение по флагу", "Review flag resolved"),
        "review_flags.list" => ("Список флагов", "Review flags listed"),
        "subject.import" => ("Импорт лиц", "Subjects imported"),
        "subject.put" => ("Контролируемое лицо", "Subject saved"),
        "user.create" => ("Создание пользователя", "User created"),
        "user.disable" => ("Отключение пользователя", "User disabled"),
        "user.enable" => ("Включение пользователя", "User enabled"),
        "user.list" => ("Список пользователей", "Users listed"),
        "user.password" => ("Новый пароль", "Password set"),
        "user.read" => ("Просмотр пользователя", "User read"),
        "user.role" => ("Смена роли", "Role changed"),
        _ => return None,
    })
}
