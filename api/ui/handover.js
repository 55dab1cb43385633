// Handover log (交接日志): the outgoing team lead writes their team's
// entry for a shift (free text and structured items: open tickets,
// incidents, equipment faults); the incoming lead acknowledges it; past
// entries are listed newest first. A supervisor reads and writes for any
// team. The API checks roles and writes the records.
(function () {
  "use strict";
  const { api, t, esc } = SB;

  SB.i18n({
    zh: {
      "ho.title": "交接日志", "ho.team": "班组", "ho.show": "查看", "ho.write": "写交接（交班值班长）", "ho.date": "日期",
      "ho.shift": "班次", "ho.text": "交接内容", "ho.items": "事项（未结工单、事件、设备故障）", "ho.kind": "类型",
      "ho.ref": "编号（工单/中继/话机）", "ho.note": "说明", "ho.add_item": "添加事项", "ho.submit": "提交交接",
      "ho.log": "交接记录", "ho.id": "编号", "ho.by": "交班人", "ho.items_h": "事项", "ho.state": "状态", "ho.action": "操作",
      "ho.k.open_ticket": "未结工单", "ho.k.incident": "事件", "ho.k.equipment_fault": "设备故障", "ho.remove": "删除",
      "ho.open": "待接班确认", "ho.acked": "{by} 已确认（{at}）", "ho.ack": "接班确认", "ho.none": "还没有交接记录。",
      "ho.noitems": "无事项", "ho.written": "交接 {id} 已提交", "ho.acked_toast": "交接 {id} 已确认",
    },
    en: {
      "ho.title": "Handover log", "ho.team": "Team", "ho.show": "Show", "ho.write": "Write the handover (outgoing lead)", "ho.date": "Date",
      "ho.shift": "Shift", "ho.text": "Handover notes", "ho.items": "Items (open tickets, incidents, equipment faults)", "ho.kind": "Kind",
      "ho.ref": "Reference (ticket, trunk, phone)", "ho.note": "Note", "ho.add_item": "Add item", "ho.submit": "Write handover",
      "ho.log": "Past handovers", "ho.id": "ID", "ho.by": "Written by", "ho.items_h": "Items", "ho.state": "State", "ho.action": "Action",
      "ho.k.open_ticket": "Open ticket", "ho.k.incident": "Incident", "ho.k.equipment_fault": "Equipment fault", "ho.remove": "Remove",
      "ho.open": "Awaiting the incoming lead", "ho.acked": "Acknowledged by {by} ({at})", "ho.ack": "Acknowledge", "ho.none": "No handovers yet.",
      "ho.noitems": "No items", "ho.written": "Handover {id} written", "ho.acked_toast": "Handover {id} acknowledged",
    },
  });

  let me = null, items = [];
  const $ = (id) => document.getElementById(id);
  const team = () => $("ho-team").value.trim();
  const when = (iso) => iso.slice(0, 10) + " " + iso.slice(11, 16);

  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function drawItems() {
    // Each item's kind is named items[i].kind so an error on it lands there.
    $("ho-items").innerHTML = items.map((it, i) => "<li data-item=\"" + i + "\"><input type=\"hidden\" name=\"items[" + i + "].kind\" value=\"" +
      esc(it.kind) + "\">" + esc(t("ho.k." + it.kind)) + (it.ref ? " · " + esc(it.ref) : "") + (it.note ? " · " + esc(it.note) : "") +
      " <button type=\"button\" data-remove=\"" + i + "\">" + esc(t("ho.remove")) + "</button></li>").join("");
  }

  async function load() {
    const r = await api("GET", "/api/v1/handovers" + (team() ? "?team=" + encodeURIComponent(team()) : ""));
    $("ho-rows").innerHTML = r.handovers.length ? r.handovers.map((h) => {
      const acked = !!h.acked_by;
      const st = acked ? t("ho.acked", { by: h.acked_by, at: when(h.acked_at) }) : t("ho.open");
      const its = h.items.length ? "<ul class=\"ho-items\">" + h.items.map((it) => "<li>" + esc(t("ho.k." + it.kind)) +
        (it.ref ? " · " + esc(it.ref) : "") + (it.note ? " · " + esc(it.note) : "") + "</li>").join("") + "</ul>" : esc(t("ho.noitems"));
      const act = !acked && h.by !== me.actor ? "<button type=\"button\" data-ack=\"" + esc(h.id) + "\">" + esc(t("ho.ack")) + "</button>" : "";
      return "<tr data-handover=\"" + esc(h.id) + "\"><td>" + esc(h.id) + "</td><td>" + esc(h.team) + "</td><td>" + esc(h.date) + "</td><td>" +
        esc(h.shift) + "</td><td>" + esc(h.by) + " · " + esc(when(h.written_at)) + "</td><td class=\"ho-text\">" + esc(h.text) + "</td><td>" + its +
        "</td><td><span class=\"ho-state ho-state-" + (acked ? "acked" : "open") + "\">" + esc(st) + "</span></td><td>" + act + "</td></tr>";
    }).join("") : "<tr><td colspan=\"9\" class=\"muted\">" + esc(t("ho.none")) + "</td></tr>";
  }

  async function main() {
    me = await SB.init({ page: "handover" });
    me.actor = me.agent_id || me.username;
    $("ho-team").value = me.team || "";
    $("ho-team").readOnly = me.role === "team_lead";
    $("ho-date").value = today();
    const r = await api("GET", "/api/v1/schedules/shifts");
    $("ho-shift").innerHTML = r.shifts.map((s) => "<option value=\"" + esc(s.name) + "\">" + esc(s.name + " " + s.start + "–" + s.end) + "</option>").join("");
    drawItems();
    $("ho-pick").addEventListener("submit", (ev) => { ev.preventDefault(); load().catch((e) => SB.fieldError(ev.target, e)); });
    $("ho-item-add").addEventListener("click", () => {
      items.push({ kind: $("ho-item-kind").value, ref: $("ho-item-ref").value.trim(), note: $("ho-item-note").value.trim() });
      $("ho-item-ref").value = "";
      $("ho-item-note").value = "";
      drawItems();
      $("ho-item-kind").focus();
    });
    $("ho-items").addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-remove]");
      if (!b) return;
      items.splice(Number(b.dataset.remove), 1);
      drawItems();
      $("ho-item-kind").focus();
    });
    $("ho-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const h = await api("POST", "/api/v1/handovers", { team: team(), date: $("ho-date").value, shift: $("ho-shift").value,
          text: $("ho-text").value, items: items });
        ev.target.querySelectorAll(".sb-field-error").forEach((el) => el.remove());
        ev.target.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
        items = [];
        drawItems();
        $("ho-text").value = "";
        SB.toast(t("ho.written", { id: h.id }));
        await load();
      } catch (e) { SB.fieldError(ev.target, e); }
    });
    $("ho-rows").addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-ack]");
      if (!b) return;
      try {
        const h = await api("POST", "/api/v1/handovers/" + encodeURIComponent(b.dataset.ack) + "/ack", {});
        SB.toast(t("ho.acked_toast", { id: h.id }));
      } catch (e) { SB.toast(e.message); }
      await load();
    });
    await load();
  }
  main().catch((e) => SB.toast(e.message || t("common.error")));
})();
