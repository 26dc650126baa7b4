// Top level: decides between Enroll, Unlock and the unlocked app from AppStatus,
// and holds language, navigation stack and the error slots.
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { api, onNotUnlocked } from "./api";
import type { AppStatus } from "./bindings";
import { Header } from "./components/Header";
import { Loading } from "./components/Loading";
import { ErrorBox, ErrorProvider, useErrors } from "./errors";
import { I18nContext, initialLang, makeT, saveLang } from "./lang";
import type { Lang } from "./lang";
import { NavContext } from "./nav";
import type { Nav, Route } from "./nav";
import { ActScreen } from "./screens/Act";
import { Assignments } from "./screens/Assignments";
import { Enroll } from "./screens/Enroll";
import { InspectionView } from "./screens/Inspection";
import { OrderScreen } from "./screens/Order";
import { SyncScreen } from "./screens/Sync";
import { Unlock } from "./screens/Unlock";
import { VisitScreen } from "./screens/Visit";
import { WarningScreen } from "./screens/Warning";

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const i18n = useMemo(
    () => ({
      lang,
      t: makeT(lang),
      setLang: (l: Lang) => {
        saveLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  useEffect(() => saveLang(lang), []);
  return (
    <I18nContext.Provider value={i18n}>
      <ErrorProvider>
        <Shell />
      </ErrorProvider>
    </I18nContext.Provider>
  );
}

function Shell() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [reenroll, setReenroll] = useState(false);
  const [stack, setStack] = useState<Route[]>([{ name: "assignments" }]);
  const [flash, setFlash] = useState<string | null>(null);
  const { report, clear } = useErrors();

  const refresh = useCallback(() => {
    api.appStatus().then(setStatus, (e) => report("app", e));
  }, [report]);
  useEffect(refresh, []);
  // Rust may lock the key on its own (timeout); any not_unlocked answer brings back the Unlock screen.
  useEffect(() => onNotUnlocked(refresh), [refresh]);

  const nav: Nav = useMemo(
    () => ({
      route: stack[stack.length - 1],
      canBack: stack.length > 1,
      go: (r: Route) => {
        clear();
        setFlash(null);
        // Top-level destinations reset the stack so "back" never walks through old screens.
        setStack((s) => (r.name === "assignments" ? [r] : r.name === "sync" ? [s[0], r] : [...s, r]));
        window.scrollTo(0, 0);
      },
      back: () => {
        clear();
        setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
        window.scrollTo(0, 0);
      },
      flash,
      setFlash,
    }),
    [stack, flash, clear],
  );

  // On a screen change, start keyboard focus at the top of the new screen.
  const top = nav.route;
  useEffect(() => {
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [top]);

  const lock = () => {
    api.lock().then(
      (s) => {
        setStatus(s);
        setStack([{ name: "assignments" }]);
      },
      (e) => report("app", e),
    );
  };

  const unlocked = !!status && status.enrolled && status.unlocked && !status.wiped;
  let body;
  if (!status) body = <Loading />;
  else if (!status.enrolled || (status.wiped && reenroll)) body = <Enroll onDone={setStatus} />;
  else if (!unlocked) body = <Unlock status={status} onStatus={setStatus} onReenroll={() => setReenroll(true)} />;
  else body = <Screen route={nav.route} />;

  return (
    <NavContext.Provider value={nav}>
      <Header unlocked={unlocked} onLock={lock} />
      <main class="main" id="main" tabIndex={-1}>
        <ErrorBox slot="app" />
        {body}
      </main>
    </NavContext.Provider>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "assignments":
      return <Assignments />;
    case "inspection":
      return <InspectionView key={route.id} id={route.id} />;
    case "visit":
      return <VisitScreen key={route.id} id={route.id} />;
    case "warning":
      return <WarningScreen key={route.id} id={route.id} />;
    case "act":
      return <ActScreen key={route.id} id={route.id} />;
    case "order":
      return <OrderScreen key={route.id} id={route.id} />;
    case "sync":
      return <SyncScreen />;
  }
}
