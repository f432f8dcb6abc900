// Day counts of the unlocked page, from the reader's clock. The renderer
// writes each as <time class="rel" datetime="2026-12-14" data-rel="due"
// data-from="2026-12-01">, counted on the day the portal was built and
// saying so; a portal is read days or weeks later, so the count is redone
// here from the reader's own date. Kind "due" is a reply date ("12 days
// left", "3 days overdue"), "when" any other date ("in 5 days", "10 days
// ago"). The forms are those of content/i18n/LANG/portal.toml [rel].

const forms = {
  en: {
    left: { one: "{n} day left", other: "{n} days left" },
    overdue: { one: "{n} day overdue", other: "{n} days overdue" },
    in: { one: "in {n} day", other: "in {n} days" },
    ago: { one: "{n} day ago", other: "{n} days ago" },
    dueToday: "due today",
    today: "today",
  },
  ru: {
    left: { one: "остался {n} день", few: "осталось {n} дня", many: "осталось {n} дней", other: "осталось {n} дня" },
    overdue: { one: "просрочено на {n} день", few: "просрочено на {n} дня", many: "просрочено на {n} дней", other: "просрочено на {n} дня" },
    in: { one: "через {n} день", few: "через {n} дня", many: "через {n} дней", other: "через {n} дня" },
    ago: { one: "{n} день назад", few: "{n} дня назад", many: "{n} дней назад", other: "{n} дня назад" },
    dueToday: "срок сегодня",
    today: "сегодня",
  },
};

// dayNumber is a calendar date as a count of days, free of time zones and
// daylight saving: "2026-12-01" and a Date at any hour of that local day
// give the same number.
function dayNumber(y, m, d) {
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}

function parseDay(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
  return m ? dayNumber(+m[1], +m[2], +m[3]) : null;
}

// relativeLabel says n days (to a date; negative when it is past) in lang.
export function relativeLabel(lang, kind, n) {
  const base = String(lang || "en").toLowerCase().split(/[-_]/)[0];
  const f = forms[base] || forms.en;
  let rule;
  try {
    rule = new Intl.PluralRules(base in forms ? base : "en");
  } catch (e) {
    rule = { select: (x) => (x === 1 ? "one" : "other") };
  }
  const pick = (set, x) => (set[rule.select(x)] || set.other).replace("{n}", String(x));
  if (kind === "due") {
    if (n === 0) return f.dueToday;
    return n > 0 ? pick(f.left, n) : pick(f.overdue, -n);
  }
  if (n === 0) return f.today;
  return n > 0 ? pick(f.in, n) : pick(f.ago, -n);
}

// recountDays rewrites every day count under root from now (a Date).
export function recountDays(root, lang, now) {
  const today = dayNumber(now.getFullYear(), now.getMonth() + 1, now.getDate());
  for (const e of root.querySelectorAll("time.rel[datetime][data-rel]")) {
    const day = parseDay(e.getAttribute("datetime"));
    if (day === null) continue;
    e.textContent = relativeLabel(lang, e.getAttribute("data-rel"), day - today);
    e.removeAttribute("data-from");
  }
}
