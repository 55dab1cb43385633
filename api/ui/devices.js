// Device file (设备档案): everyone allowed reads the devices with their
// fault history (from the PBX health records, attached by themselves) and
// maintenance entries; an admin files and scraps devices (scrapping is a
// state, the file stays); supervisors and admins log maintenance and
// repairs. The API checks roles and writes the records.
(function () {
  "use strict";
  const { api, t, esc } = SB;
  const kinds = ["phone", "headset", "gateway", "pbx_node", "trunk"];

  SB.i18n({
    zh: {
      "dv.title": "设备档案", "dv.kind": "类型", "dv.all_kinds": "全部", "dv.show_scrapped": "含已报废", "dv.show": "查看",
      "dv.register": "登记设备", "dv.ref": "标识（分机/中继/节点名）", "dv.model": "型号", "dv.serial": "序列号", "dv.location": "位置",
      "dv.seat": "座席", "dv.purchased": "购买日期", "dv.installed": "安装日期", "dv.register_btn": "登记", "dv.maint": "维护与维修记录",
      "dv.device": "设备", "dv.mkind": "类别", "dv.mk.maintenance": "维护", "dv.mk.repair": "维修", "dv.date": "日期", "dv.note": "说明",
      "dv.maint_btn": "记录", "dv.scrap": "报废", "dv.reason": "原因", "dv.scrap_btn": "报废", "dv.list": "设备", "dv.id": "编号",
      "dv.ref_h": "标识", "dv.model_serial": "型号 · 序列号", "dv.where": "位置 · 座席", "dv.dates": "购买 · 安装", "dv.state": "状态",
      "dv.faults": "故障记录", "dv.maint_h": "维护维修", "dv.st.in_service": "在用", "dv.st.scrapped": "已报废（{reason}）",
      "dv.k.phone": "话机", "dv.k.headset": "耳机", "dv.k.gateway": "网关", "dv.k.pbx_node": "PBX 节点", "dv.k.trunk": "中继",
      "dv.f.down": "中断", "dv.f.degraded": "降级", "dv.f.up": "恢复", "dv.f.unreachable": "不可达", "dv.f.reachable": "恢复可达",
      "dv.none": "没有设备。", "dv.nofaults": "无故障", "dv.nomaint": "无记录", "dv.filed": "已登记 {id}", "dv.logged": "{id} 已记录",
      "dv.scrapped": "{id} 已报废",
    },
    en: {
      "dv.title": "Device file", "dv.kind": "Kind", "dv.all_kinds": "All", "dv.show_scrapped": "Include scrapped", "dv.show": "Show",
      "dv.register": "File a device", "dv.ref": "Reference (endpoint, trunk, node)", "dv.model": "Model", "dv.serial": "Serial", "dv.location": "Location",
      "dv.seat": "Seat", "dv.purchased": "Purchased", "dv.installed": "Installed", "dv.register_btn": "File", "dv.maint": "Maintenance and repairs",
      "dv.device": "Device", "dv.mkind": "Kind of work", "dv.mk.maintenance": "Maintenance", "dv.mk.repair": "Repair", "dv.date": "Date", "dv.note": "Note",
      "dv.maint_btn": "Log", "dv.scrap": "Scrap", "dv.reason": "Reason", "dv.scrap_btn": "Scrap", "dv.list": "Devices", "dv.id": "ID",
      "dv.ref_h": "Reference", "dv.model_serial": "Model · serial", "dv.where": "Location · seat", "dv.dates": "Purchased · installed", "dv.state": "State",
      "dv.faults": "Fault history", "dv.maint_h": "Maintenance", "dv.st.in_service": "In service", "dv.st.scrapped": "Scrapped ({reason})",
      "dv.k.phone": "Phone", "dv.k.headset": "Headset", "dv.k.gateway": "Gateway", "dv.k.pbx_node": "PBX node", "dv.k.trunk": "Trunk",
      "dv.f.down": "Down", "dv.f.degraded": "Degraded", "dv.f.up": "Up again", "dv.f.unreachable": "Unreachable", "dv.f.reachable": "Reachable again",
      "dv.none": "No devices.", "dv.nofaults": "No faults", "dv.nomaint": "None", "dv.filed": "Filed {id}", "dv.logged": "Logged on {id}",
      "dv.scrapped": "{id} scrapped",
    },
  });

  let me = null;
  const $ = (id) => document.getElementById(id);
  const when = (iso) => iso.slice(0, 10) + " " + iso.slice(11, 16);
  const opt = (v, label) => "<option value=\"" + esc(v) + "\">" + esc(label) + "</option>";

  async function load() {
    const q = [];
    if ($("dv-filter-kind").value) q.push("kind=" + encodeURIComponent($("dv-filter-kind").value));
    if ($("dv-filter-all").checked) q.push("all=true");
    const r = await api("GET", "/api/v1/devices" + (q.length ? "?" + q.join("&") : ""));
    $("dv-rows").innerHTML = r.devices.length ? r.devices.map((d) => {
      const faults = d.faults.length ? "<ul class=\"dv-list\">" + d.faults.map((f) => "<li class=\"" +
        (f.state === "up" || f.state === "reachable" ? "" : "dv-fault-bad") + "\">" + esc(when(f.at)) + " " + esc(t("dv.f." + f.state)) +
        (f.detail ? " · " + esc(f.detail) : "") + "</li>").join("") + "</ul>" : esc(t("dv.nofaults"));
      const maint = d.maintenance.length ? "<ul class=\"dv-list\">" + d.maintenance.map((m) => "<li>" + esc(m.date) + " " + esc(t("dv.mk." + m.kind)) +
        " · " + esc(m.note) + " · " + esc(m.by) + "</li>").join("") + "</ul>" : esc(t("dv.nomaint"));
      return "<tr data-device=\"" + esc(d.id) + "\"><td>" + esc(d.id) + "</td><td>" + esc(t("dv.k." + d.kind)) + "</td><td>" + esc(d.ref || "") +
        "</td><td>" + esc(d.model) + " · " + esc(d.serial) + "</td><td>" + esc(d.location || "") + " · " + esc(d.seat || "") + "</td><td>" +
        esc(d.purchased || "") + " · " + esc(d.installed || "") + "</td><td><span class=\"dv-state dv-state-" + esc(d.state) + "\">" +
        esc(t("dv.st." + d.state, { reason: d.scrap_reason || "" })) + "</span></td><td class=\"dv-faults\">" + faults + "</td><td class=\"dv-maint\">" + maint + "</td></tr>";
    }).join("") : "<tr><td colspan=\"9\" class=\"muted\">" + esc(t("dv.none")) + "</td></tr>";
    const live = r.devices.filter((d) => d.state !== "scrapped").map((d) => opt(d.id, d.id + " " + t("dv.k." + d.kind) + " " + (d.ref || d.serial))).join("");
    $("dv-maint-device").innerHTML = live;
    $("dv-scrap-device").innerHTML = live;
  }

  function clearErrors(form) {
    form.querySelectorAll(".sb-field-error").forEach((el) => el.remove());
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  function submit(id, fn) {
    $(id).addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await fn(ev.target);
        clearErrors(ev.target);
        await load();
      } catch (e) { SB.fieldError(ev.target, e); }
    });
  }

  async function main() {
    me = await SB.init({ page: "devices" });
    const admin = me.role === "admin";
    $("dv-register-box").hidden = !admin;
    $("dv-scrap-box").hidden = !admin;
    $("dv-maint-box").hidden = !(admin || me.role === "supervisor");
    $("dv-filter-kind").insertAdjacentHTML("beforeend", kinds.map((k) => opt(k, t("dv.k." + k))).join(""));
    $("dv-kind").innerHTML = kinds.map((k) => opt(k, t("dv.k." + k))).join("");
    $("dv-filter").addEventListener("submit", (ev) => { ev.preventDefault(); load().catch((e) => SB.fieldError(ev.target, e)); });
    submit("dv-register", async (form) => {
      const body = {};
      for (const f of ["kind", "ref", "model", "serial", "location", "seat", "purchased", "installed"]) {
        const v = form.elements[f].value.trim();
        if (v) body[f] = v;
      }
      const d = await api("POST", "/api/v1/devices", body);
      form.reset();
      SB.toast(t("dv.filed", { id: d.id }));
    });
    submit("dv-maint", async (form) => {
      const id = $("dv-maint-device").value;
      const d = await api("POST", "/api/v1/devices/" + encodeURIComponent(id) + "/maintenance",
        { kind: $("dv-maint-kind").value, date: $("dv-maint-date").value, note: $("dv-maint-note").value });
      $("dv-maint-note").value = "";
      SB.toast(t("dv.logged", { id: d.id }));
    });
    submit("dv-scrap", async (form) => {
      const id = $("dv-scrap-device").value;
      const d = await api("POST", "/api/v1/devices/" + encodeURIComponent(id) + "/scrap", { reason: $("dv-scrap-reason").value });
      $("dv-scrap-reason").value = "";
      $("dv-filter-all").checked = true; // the scrapped device stays in view, its state written out
      SB.toast(t("dv.scrapped", { id: d.id }));
    });
    await load();
  }
  main().catch((e) => SB.toast(e.message || t("common.error")));
})();
