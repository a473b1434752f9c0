/* hub-store-reports.h — what coordinators report to their programme
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reports are read from the statements, the learner registry and the catalog; they store
 * nothing. A completion counts once however many times its statements arrived (the
 * statement log is a set: a course completed on two PCs, or re-sent, is one completion,
 * dated by its earliest statement), and a voided statement counts for nothing.
 */
#pragma once

#include <json-c/json.h>

#include "hub-request.h"

G_BEGIN_DECLS

/**
 * HubReportFilter:
 * @org_id: only this organisation's learners (0: all; a coordinator's is forced)
 * @programme: (nullable): only courses of this programme
 * @course: (nullable): only this course
 * @from: (nullable): completed (or answered) at or after this ISO 8601 time
 * @to: (nullable): … before this one (a date alone means the end of that day)
 * @offset, @limit: the completions' rows of the JSON report from @offset, at most @limit
 *   (0: all); the totals are always over all of them
 */
typedef struct
{
  gint64      org_id;
  const char *programme;
  const char *course;
  const char *from;
  const char *to;
  gint64      offset;
  gint64      limit;
} HubReportFilter;

/* {"completions": [{learner, name, external_id, organisation, device, course, titles,
 *   programme, class_hours, credits, completed}…], "next_offset": N (when there are more),
 *  "passes": [{learner, name, organisation, programme, completed}…],
 *  "totals": {completions, learners, class_hours, credits, passes}}
 * A training pass is a learner's completion of every course the catalog lists in a
 * programme (dated by the last of them). */
json_object *hub_report_completions (HubStore               *store,
                                     const HubReportFilter  *filter,
                                     GError                **error);

/* {"surveys": [{course, item, learners, attempts, questions: [{question, answers:
 *   {RESPONSE: COUNT…}, before: {…}, after: {…}}…]}…]}
 * A survey answer is an `answered` statement about a question with a response and no
 * `success` (quiz answers always say whether they were right); the last answer of each
 * attempt counts. `before` and `after` compare, for learners who took the survey more
 * than once, their first attempt with their latest. */
json_object *hub_report_surveys     (HubStore               *store,
                                     const HubReportFilter  *filter,
                                     GError                **error);

/* The id of the organisation called @name: FALSE with @error unset when there is none. */
gboolean     hub_report_org_id      (HubStore               *store,
                                     const char             *name,
                                     gint64                 *org_id,
                                     GError                **error);

/* The report as CSV for Excel and WPS: UTF-8 with a byte order mark, CRLF line ends,
 * every field quoted; every row (the filter's offset and limit do not apply), the totals
 * last. Made from the rows as they are read: no JSON is built for a large report. */
GBytes      *hub_report_completions_csv (HubStore               *store,
                                         const HubReportFilter  *filter,
                                         GError                **error);
GBytes      *hub_report_surveys_csv     (HubStore               *store,
                                         const HubReportFilter  *filter,
                                         GError                **error);

G_END_DECLS
