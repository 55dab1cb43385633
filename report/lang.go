package report

import (
	"slices"
	"strings"
)

// Languages a table's headers come in: the column labels, the grouping's
// name and the total and placeholder row labels. Definitions and notes
// stay English (the KPI reference, docs/kpis.md, is English).
var Languages = []string{"en", "zh"}

// zhLabels are the Chinese column labels, by column key. The words are
// those of the desk and wallboard (事后工作 for wrap-up, 未就绪 for not
// ready, 振铃 for ringing).
var zhLabels = map[string]string{
	"offered": "进入队列", "answered": "接通", "answered_sl": "T 秒内接通",
	"abandoned_queue": "排队中放弃", "abandoned_ringing": "振铃中放弃", "short_abandoned": "短时放弃",
	"abandoned_ivr": "IVR 中放弃", "queue_timeout": "排队超时", "no_agent": "无坐席签入",
	"answer_rate": "接通率", "sl_offered": "服务水平（按进线）", "sl_answered": "服务水平（按接通）",
	"abandon_rate": "放弃率", "asa": "平均应答速度", "avg_wait": "平均等待", "max_wait": "最长等待",
	"handled": "已处理", "talk": "通话时长", "wrap": "事后工作时长", "aht": "平均处理时长",
	"messages": "留言数", "messages_handled": "已处理留言", "message_handle_avg": "留言平均处理时长",
	"callbacks": "回电请求", "callbacks_connected": "回电接通", "callbacks_failed": "回电未接通",
	"callback_wait_avg": "回电平均等待",
	"surveys":           "满意度调查数", "survey_avg": "平均评分",
	"signed_in": "签入时长", "ready": "就绪（空闲）", "not_ready": "未就绪", "reserved": "分配中",
	"ringing": "振铃中", "on_call": "通话中", "wrap_up": "事后工作", "occupancy": "占用率",
	"offers": "分配次数", "offer_failures": "未接分配", "for_messages": "给坐席的留言",
	"for_messages_handled": "其留言已处理", "for_message_handle_avg": "其留言平均处理时长",
	"break_overruns": "小休超时", "nr_requests": "未就绪申请", "nr_approved": "申请已批准", "nr_refused": "申请被拒绝",
	"entries": "进入次数", "hangups": "挂机",
	"follow_ups": "需回访", "follow_up_rate": "回访率", "transferred": "转接", "avg_talk": "平均通话",
	"outbound": "外呼数", "outbound_answered": "外呼接通", "outbound_talk": "外呼通话时长", "outbound_aht": "外呼平均处理时长",
	"attempts": "试呼次数", "asr": "应答占用比", "failed": "运营商失败", "timeouts": "呼叫请求无响应",
	"callee": "被叫忙/无应答/拒接", "aborted": "坐席取消", "failovers": "切换线路", "skipped": "跳过",
	"connected": "接通通话", "acd": "平均每通时长",
}

// zhWords are the grouping names and row labels the builder writes.
var zhWords = map[string]string{
	"Interval start": "时段开始", "Day": "日期", "Queue": "队列", "Agent": "坐席", "Team": "班组",
	"IVR node (flow/node)": "IVR 节点（流程/节点）", "Disposition": "处理结果", "Total": "合计",
	"Trunk": "中继", "Trunk · why": "中继 · 原因", "Month": "月份",
	"(no queue)": "（无队列）", "(no team)": "（无班组）", "(not answered)": "（未接通）",
	"(not wrapped up)": "（未做事后处理）", "(no reason)": "（无原因）",
	// The usual not-ready reason codes, as the desk shows them; other
	// configured codes stay as they are written.
	"break": "小休", "meal": "就餐", "training": "培训", "meeting": "会议", "after_call_work": "事后工作",
	"no_answer": "未接听", "busy": "忙", "unreachable": "无法接通",
}

// Localized is t with its headers in lang ("en" or "" leaves it as it
// is); t itself is not changed.
func (t *Table) Localized(lang string) *Table {
	if lang != "zh" {
		return t
	}
	out := *t
	out.Lang = lang
	out.Columns = slices.Clone(t.Columns)
	for i, c := range out.Columns {
		if l, ok := zhReportLabels[t.Report][c.Key]; ok {
			out.Columns[i].Label = l
			continue
		}
		out.Columns[i].Label = zhColumn(c)
	}
	out.GroupName = zhWord(t.GroupName)
	out.Title = zhTitles[t.Report]
	if out.Title == "" {
		out.Title = t.Title
	}
	out.Rows = slices.Clone(t.Rows)
	for i := range out.Rows {
		out.Rows[i].Label = zhWord(out.Rows[i].Label)
	}
	out.Total.Label = zhWord(t.Total.Label)
	return &out
}

// zhTitles are the reports' titles in Chinese.
var zhTitles = map[string]string{"summary": "话务汇总", "service": "服务质量（月报）", "satisfaction": "通话后满意度",
	"adherence": "登陆吻合度与出勤"}

// zhReportLabels are column labels of a report whose keys mean something
// else there than in the call reports (adherence's signed_in is time
// signed in within the schedule), by report and key.
var zhReportLabels = map[string]map[string]string{
	"adherence": {
		"shifts": "排班班次", "present": "出勤班次", "attendance": "出勤率", "scheduled": "排班时长",
		"signed_in": "排班内签入时长", "adherence": "登陆吻合度", "excused": "问题时长（已核准）",
		"adherence_excused": "含问题时长吻合度", "late_ins": "迟签入", "early_outs": "早签出", "overrun": "小休/就餐超时",
	},
}

func zhWord(s string) string {
	if w, ok := zhWords[s]; ok {
		return w
	}
	return s
}

// zhColumn is c's label in Chinese: a fixed key's, or one of the made
// columns (wait bins, survey scores, not-ready reasons).
func zhColumn(c Column) string {
	if l, ok := zhLabels[c.Key]; ok {
		return l
	}
	switch {
	case strings.HasPrefix(c.Label, "Waited ≤ "):
		return "等待 ≤ " + strings.TrimPrefix(c.Label, "Waited ≤ ")
	case strings.HasPrefix(c.Label, "Waited > "):
		return "等待 > " + strings.TrimPrefix(c.Label, "Waited > ")
	case strings.HasPrefix(c.Key, "score_") && strings.HasSuffix(c.Key, "_pct"):
		return strings.TrimSuffix(strings.TrimPrefix(c.Key, "score_"), "_pct") + " 分（%）"
	case strings.HasPrefix(c.Key, "score_"):
		return strings.TrimPrefix(c.Key, "score_") + " 分"
	case strings.HasPrefix(c.Key, "not_ready:"):
		return "未就绪：" + zhWord(strings.TrimPrefix(c.Label, "Not ready: "))
	case strings.HasPrefix(c.Key, "exit:"):
		return "出口 " + strings.TrimPrefix(c.Label, "Exit ")
	}
	return c.Label
}

// zhUnits are the units as file headers show them in Chinese.
var zhUnits = map[string]string{UnitCount: "数量", UnitSeconds: "秒", UnitPercent: "%", UnitScore: "分"}

// unitWord is unit as a header shows it in lang.
func unitWord(lang, unit string) string {
	if w, ok := zhUnits[unit]; ok && lang == "zh" {
		return w
	}
	return unit
}
