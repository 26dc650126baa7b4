// In-memory navigation: a stack of routes (the app has no URLs inside Tauri worth keeping).
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type Route =
  | { name: "assignments" }
  | { name: "inspection"; id: string }
  | { name: "visit"; id: string }
  | { name: "warning"; id: string }
  | { name: "act"; id: string }
  | { name: "order"; id: string }
  | { name: "sync" };

export type Nav = {
  route: Route;
  canBack: boolean;
  go: (r: Route) => void;
  back: () => void;
  /** A one-shot success message shown on the next screen (role=status). */
  flash: string | null;
  setFlash: (s: string | null) => void;
};

export const NavContext = createContext<Nav>(null as unknown as Nav);
export const useNav = () => useContext(NavContext);

/** Tells long-lived widgets (the sync badge) that new records exist. */
export function notifyChanged() {
  window.dispatchEvent(new Event("knd:changed"));
}
