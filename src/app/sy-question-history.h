/* sy-question-history.h — a learner's past attempts at one quiz or survey (private)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-store.h"

G_BEGIN_DECLS

/**
 * SyPastAttempt:
 * @registration: the attempt's UUID
 * @number: 1 for the first attempt, in the order they began
 * @started: (nullable): when it began, ISO 8601
 * @finished: whether a passed, failed or completed statement closed it
 * @score: passed, failed: the scaled score 0–1; NAN for none
 * @passed: the attempt ended with `passed`
 * @answers: question id → the last response given
 */
typedef struct
{
  char       *registration;
  guint       number;
  char       *started;
  gboolean    finished;
  double      score;
  gboolean    passed;
  GHashTable *answers;
} SyPastAttempt;

void        sy_past_attempt_free                (SyPastAttempt        *attempt);

void        sy_question_history_load_async      (SyStore              *store,
                                                 const char           *learner_uuid,
                                                 const char           *course_id,
                                                 const char           *item_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *sy_question_history_load_finish     (GAsyncResult         *result,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyPastAttempt, sy_past_attempt_free)

G_END_DECLS
