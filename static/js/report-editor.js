/* The monthly report's editor: every section is a column of paragraphs edited in place, with
 * footnotes as numbered marks whose text is typed below the section (no markup to learn).
 *
 * Progressive enhancement: without JavaScript the page shows one textarea per section in the
 * stored scheme (a paragraph per line, "[^1]" marks and "[^1]: text" lines); with it, the
 * textareas are hidden and filled from the paragraphs when the form is sent. Section II also
 * offers the proposed tasks as checkboxes and a button for new tasks. Nothing is sent anywhere
 * but this page's own forms.
 */
(function () {
  "use strict";

  const form = document.querySelector("[data-report-editor]");
  if (!form) return;

  const ESCAPE = "\u2060"; // a "[^" people type must never become a footnote
  const NUMBERED = /^\s*\d+\.\s*/;
  let dirty = false;

  function markDirty() {
    dirty = true;
    const hint = form.querySelector(".rp-dirty");
    if (hint) hint.hidden = false;
  }

  function newParagraph(text, extraClass) {
    const p = document.createElement("p");
    p.className = "rp-para" + (extraClass ? " " + extraClass : "");
    p.contentEditable = "true";
    p.spellcheck = false;
    if (text) p.textContent = text;
    return p;
  }

  function paragraphOf(node, editor) {
    while (node && node !== editor) {
      if (node.nodeType === 1 && node.classList.contains("rp-para")) return node;
      node = node.parentNode;
    }
    return null;
  }

  function collapse(text) {
    return text.replace(/\s+/g, " ");
  }

  // --- footnotes --------------------------------------------------------------------------

  function chipsOf(section) {
    return Array.from(section.querySelectorAll(".rp-editor .rp-fn"));
  }

  function renumber(section) {
    const list = section.querySelector(".rp-notes");
    const chips = chipsOf(section);
    list.replaceChildren();
    chips.forEach(function (chip, index) {
      const number = String(index + 1);
      chip.textContent = number;
      chip.setAttribute("aria-label", "Chú thích " + number);
      const item = document.createElement("li");
      const label = document.createElement("label");
      label.className = "visually-hidden";
      label.textContent = "Nội dung chú thích " + number;
      const box = document.createElement("textarea");
      box.className = "form-control form-control-sm rp-note-text";
      box.rows = 1;
      box.value = chip.dataset.note || "";
      const id = section.id + "-note-" + number;
      box.id = id;
      label.htmlFor = id;
      box.addEventListener("input", function () {
        chip.dataset.note = box.value;
        chip.title = box.value;
        markDirty();
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-link btn-sm text-danger rp-note-remove";
      remove.textContent = "Xóa chú thích";
      remove.addEventListener("click", function () {
        chip.remove();
        markDirty();
        renumber(section);
      });
      item.append(label, box, remove);
      list.append(item);
    });
    list.hidden = chips.length === 0;
  }

  function insertNote(section, range) {
    const editor = section.querySelector(".rp-editor");
    let p = range ? paragraphOf(range.endContainer, editor) : null;
    if (!p) {
      p = editor.querySelector(".rp-para:last-of-type") || newParagraph("");
      if (!p.parentNode) editor.append(p);
      range = document.createRange();
      range.selectNodeContents(p);
      range.collapse(false);
    }
    const chip = document.createElement("sup");
    chip.className = "rp-fn";
    chip.contentEditable = "false";
    chip.dataset.note = "";
    range.collapse(false);
    range.insertNode(chip);
    markDirty();
    renumber(section);
    const index = chipsOf(section).indexOf(chip);
    const box = section.querySelectorAll(".rp-note-text")[index];
    if (box) box.focus();
  }

  // --- paragraphs -------------------------------------------------------------------------

  function splitAtCaret(editor, event) {
    const selection = window.getSelection();
    if (!selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    const p = paragraphOf(range.startContainer, editor);
    if (!p) return;
    event.preventDefault();
    range.deleteContents();
    const tail = document.createRange();
    tail.selectNodeContents(p);
    tail.setStart(range.endContainer, range.endOffset);
    const next = newParagraph("", p.classList.contains("rp-slot") ? "rp-slot" : "");
    next.append(tail.extractContents());
    p.after(next);
    const caret = document.createRange();
    caret.setStart(next, 0);
    caret.collapse(true);
    selection.removeAllRanges();
    selection.addRange(caret);
    next.focus();
    markDirty();
  }

  function mergeBackwards(editor, event) {
    const selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const p = paragraphOf(range.startContainer, editor);
    if (!p) return;
    const before = document.createRange();
    before.selectNodeContents(p);
    before.setEnd(range.startContainer, range.startOffset);
    if (before.toString() !== "" || before.cloneContents().querySelector(".rp-fn")) return;
    const previous = p.previousElementSibling;
    if (!previous || !previous.classList.contains("rp-para")) return;
    event.preventDefault();
    const caret = document.createRange();
    caret.selectNodeContents(previous);
    caret.collapse(false);
    while (p.firstChild) previous.append(p.firstChild);
    p.remove();
    selection.removeAllRanges();
    selection.addRange(caret);
    previous.focus();
    markDirty();
  }

  // --- serialising to the stored scheme ---------------------------------------------------

  function textOf(node, notes) {
    let out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) {
        out += child.nodeValue.split("[^").join("[" + ESCAPE + "^");
      } else if (child.nodeType === 1 && child.classList.contains("rp-fn")) {
        const note = collapse(child.dataset.note || "").trim();
        if (note) { // a mark whose footnote was left empty is dropped
          notes.push(note);
          out += "[^" + notes.length + "]";
        }
      } else if (child.nodeType === 1 && child.tagName === "BR") {
        out += " ";
      } else if (child.nodeType === 1) {
        out += textOf(child, notes);
      }
    });
    return out;
  }

  function serialize(section) {
    const editor = section.querySelector(".rp-editor");
    const notes = [];
    const lines = [];
    const numbered = editor.classList.contains("rp-numbered");
    let number = 0;
    editor.querySelectorAll(".rp-para").forEach(function (p) {
      let line = collapse(textOf(p, notes)).trim();
      if (!line) return;
      if (numbered && (NUMBERED.test(line) || p.classList.contains("rp-slot"))) {
        number += 1;
        line = number + ". " + line.replace(NUMBERED, "");
      }
      lines.push(line);
    });
    const definitions = notes.map(function (note, index) {
      return "[^" + (index + 1) + "]: " + note;
    });
    return lines.concat(definitions).join("\n");
  }

  function writeBack() {
    document.querySelectorAll(".rp-section").forEach(function (section) {
      section.querySelector(".rp-source").value = serialize(section);
    });
  }

  // --- section II: proposed tasks and new ones --------------------------------------------

  function stripped(p) {
    return collapse(p.textContent).trim().replace(NUMBERED, "").replace(/^-\s*/, "");
  }

  function toggleCandidate(section, box) {
    const editor = section.querySelector(".rp-editor");
    const texts = [box.dataset.text].concat(
      (box.dataset.children || "").split("\n").filter(Boolean));
    if (box.checked) {
      const slot = editor.querySelector(".rp-slot");
      texts.forEach(function (text, index) {
        const p = newParagraph(index === 0 ? "1. " + text : "- " + text);
        if (slot) slot.before(p); else editor.append(p);
      });
    } else {
      const wanted = texts.map(function (t) { return collapse(t).trim(); });
      editor.querySelectorAll(".rp-para").forEach(function (p) {
        if (wanted.indexOf(stripped(p)) >= 0) p.remove();
      });
    }
    markDirty();
    renumber(section);
  }

  function addSlot(editor) {
    const slot = newParagraph("", "rp-slot");
    slot.dataset.placeholder = "Nhiệm vụ mới: gõ nội dung, đơn vị chủ trì và thời hạn";
    editor.append(slot);
    return slot;
  }

  // --- wiring -----------------------------------------------------------------------------

  document.querySelectorAll(".rp-section").forEach(function (section) {
    const editor = section.querySelector(".rp-editor");
    const source = section.querySelector(".rp-source");
    const sourceLabel = section.querySelector(".rp-source-label");
    editor.hidden = false;
    source.hidden = true;
    if (sourceLabel) sourceLabel.hidden = true;
    if (!editor.querySelector(".rp-para")) editor.append(newParagraph(""));
    let lastRange = null;
    document.addEventListener("selectionchange", function () {
      const selection = window.getSelection();
      if (selection.rangeCount && editor.contains(selection.getRangeAt(0).startContainer)) {
        lastRange = selection.getRangeAt(0).cloneRange();
      }
    });
    editor.addEventListener("input", function () {
      markDirty();
      if (chipsOf(section).length !== section.querySelectorAll(".rp-note-text").length) {
        renumber(section);
      }
    });
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) splitAtCaret(editor, event);
      else if (event.key === "Backspace") mergeBackwards(editor, event);
    });
    editor.addEventListener("paste", function (event) {
      event.preventDefault();
      const text = collapse((event.clipboardData || window.clipboardData).getData("text"));
      document.execCommand("insertText", false, text);
    });
    const noteButton = section.querySelector(".rp-add-note");
    noteButton.hidden = false;
    noteButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
    noteButton.addEventListener("click", function () {
      const selection = window.getSelection();
      let range = null;
      if (selection.rangeCount && editor.contains(selection.getRangeAt(0).endContainer)) {
        range = selection.getRangeAt(0);
      } else if (lastRange) {
        range = lastRange;
      }
      insertNote(section, range);
    });
    const paraButton = section.querySelector(".rp-add-para");
    paraButton.hidden = false;
    paraButton.addEventListener("click", function () {
      const p = newParagraph("");
      editor.append(p);
      p.focus();
      markDirty();
    });
    if (editor.classList.contains("rp-numbered")) {
      addSlot(editor);
      section.querySelectorAll(".rp-candidate").forEach(function (box) {
        box.addEventListener("change", function () { toggleCandidate(section, box); });
      });
      const addTask = section.querySelector(".rp-add-task");
      if (addTask) {
        addTask.hidden = false;
        addTask.addEventListener("click", function () { addSlot(editor).focus(); });
      }
    }
    renumber(section);
  });

  form.addEventListener("submit", function () {
    writeBack();
    dirty = false;
  });

  // Regenerating a section keeps what was typed but not saved yet: it travels with the form.
  document.querySelectorAll("form[data-regenerate]").forEach(function (regen) {
    regen.addEventListener("submit", function () {
      if (!dirty) return;
      document.querySelectorAll(".rp-section").forEach(function (section) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = "section-" + section.dataset.key;
        input.value = serialize(section);
        regen.append(input);
      });
      dirty = false;
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
