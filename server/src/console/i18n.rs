//! The console's two languages: Russian first, English on request (a cookie set by `/lang/en`).
//! Texts are written in pairs where they are used (`t("Реестр", "Registry")`), so a page and
//! its translation cannot drift apart; messages from the services are already "русский /
//! English" and are split here.

use axum::http::HeaderMap;

/// The cookie holding the chosen language.
pub(crate) const LANG_COOKIE: &str = "knd_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The language the request's cookie asks for (Russian without one).
    pub(crate) fn of(headers: &HeaderMap) -> Lang {
        match crate::auth::cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Ru,
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The other language (the switch in the header).
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// One of a pair of texts.
    pub(crate) fn t<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// The part of a "русский / English" message in this language (the whole message when it
    /// is not such a pair).
    pub(crate) fn pick(self, message: &str) -> String {
        match message.split_once(" / ") {
            Some((ru, en)) => self.t(ru, en).to_owned(),
            None => message.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_a_side_of_a_pair() {
        assert_eq!(Lang::Ru.pick("не найдено / not found"), "не найдено");
        assert_eq!(Lang::En.pick("не найдено / not found"), "not found");
        assert_eq!(Lang::En.pick("только так"), "только так");
    }
}
