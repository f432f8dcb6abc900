// The doctor's reply ("Your reply", templates/reply.html): the form the
// renderer put after the questions comes alive once the portal is unlocked.
// "Seal reply" builds the reply document (internal/reply, version 1) and
// encrypts it with typage to the coordinator's recipient, which only the
// encrypted manifest names; the result is ASCII-armoured text to copy or
// download. Nothing is ever sent: the doctor sends the text themselves.
//
// A draft survives a reload of the tab: it is kept in sessionStorage,
// age-encrypted to the portal identity (never in plain text), and removed
// by Lock. The form's texts come from the rendered page (data-reply-msg-*),
// so they are in the portal's language.

import { Encrypter, Decrypter, armor, identityToRecipient } from "age-encryption";

const draftPrefix = "caseport:reply:";
const draftVersion = 1;

function storage() {
  try {
    return window.sessionStorage;
  } catch (e) {
    return null; // storage off: the draft just is not kept
  }
}

function msg(form, name, vars) {
  let s = form.getAttribute("data-reply-msg-" + name) || "";
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// fields returns the form's inputs, as the reply document names them.
function fields(form) {
  const questions = Array.from(form.querySelectorAll("[data-reply-question]")).map((el) => ({
    el,
    number: parseInt(el.getAttribute("data-reply-question").replace(/^Q/, ""), 10),
    text: el.getAttribute("data-reply-text") || "",
  }));
  const one = (name) => form.querySelector('[data-reply-field="' + name + '"]');
  return { questions, conclusion: one("conclusion"), plan: one("plan"), workup: one("workup"), reviewer: one("reviewer") };
}

function planValue(f) {
  const checked = f.plan ? f.plan.querySelector("input[type=radio]:checked") : null;
  return checked ? checked.value : "";
}

// draft is what the doctor typed so far, by field.
function draft(f) {
  const d = { v: draftVersion, answers: {}, conclusion: f.conclusion.value, plan: planValue(f), workup: f.workup.value, reviewer: f.reviewer.value };
  for (const q of f.questions) d.answers[q.number] = q.el.value;
  return d;
}

function restore(f, d) {
  if (!d || d.v !== draftVersion) return false;
  for (const q of f.questions) if (typeof d.answers[q.number] === "string") q.el.value = d.answers[q.number];
  for (const k of ["conclusion", "workup", "reviewer"]) if (typeof d[k] === "string") f[k].value = d[k];
  if (d.plan && f.plan) {
    for (const r of f.plan.querySelectorAll("input[type=radio]")) r.checked = r.value === d.plan;
  }
  return true;
}

// replyDocument is the reply as sealed; internal/reply reads it.
function replyDocument(form, f, portalID, lang) {
  return {
    caseport_reply: 1,
    case: form.getAttribute("data-reply-case") || "",
    portal: portalID,
    language: lang,
    reviewer: f.reviewer.value,
    date: new Date().toISOString(),
    answers: f.questions.map((q) => ({ question: q.number, text: q.text, answer: q.el.value })),
    conclusion: f.conclusion.value,
    plan: planValue(f),
    workup: f.workup.value,
  };
}

// fileName is "reply-YYYYMMDD-HHMM.age": a time, nothing about the case.
function fileName() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return "reply-" + d.getFullYear() + p(d.getMonth() + 1) + p(d.getDate()) + "-" + p(d.getHours()) + p(d.getMinutes()) + ".age";
}

// startReply wires the reply form of the shown page, if it has one.
// identity is the portal identity; portalID the manifest's payload name.
export async function startReply(doc, sealed, identity, portalID) {
  const form = doc.querySelector("form[data-reply]");
  if (!form) return;
  const recipient = sealed.manifest && sealed.manifest.reply && sealed.manifest.reply.recipient;
  const f = fields(form);
  if (!recipient || !f.conclusion || !f.workup || !f.reviewer) return; // the note stays: it cannot seal
  const note = form.querySelector("[data-reply-note]");
  const sealButton = form.querySelector('[data-reply-action="seal"]');
  const status = form.querySelector("[data-reply-status]");
  const result = form.querySelector("[data-reply-result]");
  const output = form.querySelector("[data-reply-output]");
  const copyButton = form.querySelector('[data-reply-action="copy"]');
  const downloadButton = form.querySelector('[data-reply-action="download"]');
  const lang = doc.documentElement.lang || "";
  const store = storage();
  const draftKey = draftPrefix + portalID;
  const portalRecipient = await identityToRecipient(identity);

  if (note) note.hidden = true;
  sealButton.disabled = false;
  sealButton.setAttribute("aria-describedby", "reply-seal-hint");
  const say = (text) => {
    status.textContent = text;
  };

  // Lock forgets the draft with the key.
  const lock = doc.querySelector(".cp-lock");
  if (lock) lock.addEventListener("click", () => store && store.removeItem(draftKey));

  if (store) {
    const kept = store.getItem(draftKey);
    if (kept) {
      try {
        const dec = new Decrypter();
        dec.addIdentity(identity);
        const plain = await dec.decrypt(armor.decode(kept), "text");
        if (restore(f, JSON.parse(plain))) say(msg(form, "restored"));
      } catch (e) {
        // A draft of another build, or damaged: it cannot be read; drop it.
        store.removeItem(draftKey);
      }
    }
  }

  // Keeping the draft: encrypted, a moment after the last keystroke, in
  // order, so an older draft never overwrites a newer one.
  let timer = 0;
  let saving = Promise.resolve();
  let sealedText = "";
  function keep() {
    if (!store) return;
    const text = JSON.stringify(draft(f));
    saving = saving.then(async () => {
      const enc = new Encrypter();
      enc.addRecipient(portalRecipient);
      const armored = armor.encode(await enc.encrypt(text));
      store.setItem(draftKey, armored);
      form.setAttribute("data-reply-draft", "saved"); // for tests
    }).catch((e) => {
      if (typeof console !== "undefined") console.error("caseport: reply draft", e);
    });
  }
  function changed() {
    form.setAttribute("data-reply-draft", "pending");
    clearTimeout(timer);
    timer = setTimeout(keep, 300);
    if (sealedText) say(msg(form, "changed"));
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (sealButton.disabled) return;
    sealButton.disabled = true;
    try {
      const json = JSON.stringify(replyDocument(form, f, portalID, lang), null, 2) + "\n";
      const enc = new Encrypter();
      enc.addRecipient(recipient);
      sealedText = armor.encode(await enc.encrypt(json));
      output.value = sealedText;
      result.hidden = false;
      say(msg(form, "sealed"));
      output.focus();
      output.select();
    } catch (e) {
      if (typeof console !== "undefined") console.error("caseport: reply", e);
      say(msg(form, "failed", { reason: e && e.message ? e.message : String(e) }));
    } finally {
      sealButton.disabled = false;
    }
  });

  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(output.value);
      say(msg(form, "copied"));
    } catch (e) {
      output.focus();
      output.select();
      let ok = false;
      try {
        ok = doc.execCommand("copy");
      } catch (e2) {
        ok = false;
      }
      say(msg(form, ok ? "copied" : "copy-failed"));
    }
  });

  downloadButton.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([output.value], { type: "application/octet-stream" }));
    const a = doc.createElement("a");
    a.href = url;
    a.download = fileName();
    a.hidden = true;
    doc.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });
}
