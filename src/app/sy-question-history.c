/* sy-question-history.c — a learner's past attempts at one quiz or survey
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The quiz view's shape of sy_store_list_attempts(): scores are NAN where there is none.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <math.h>

#include "sy-question-history.h"

void
sy_past_attempt_free (SyPastAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->registration);
  g_free (attempt->started);
  g_clear_pointer (&attempt->answers, g_hash_table_unref);
  g_free (attempt);
}

static void
attempts_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(GPtrArray) history = NULL;
  GError *error = NULL;

  if (!(attempts = sy_store_list_attempts_finish (SY_STORE (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  history = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_past_attempt_free);
  for (guint i = 0; i < attempts->len; i++)
    {
      SyAttempt *attempt = g_ptr_array_index (attempts, i);
      SyPastAttempt *past = g_new0 (SyPastAttempt, 1);

      past->registration = g_steal_pointer (&attempt->registration);
      past->number = attempt->number;
      past->started = g_steal_pointer (&attempt->started);
      past->finished = attempt->finished;
      past->passed = attempt->finished && attempt->passed;
      past->score = attempt->finished && attempt->score >= 0 ? attempt->score : NAN;
      past->answers = g_steal_pointer (&attempt->answers);
      g_ptr_array_add (history, past);
    }
  g_task_return_pointer (task, g_steal_pointer (&history), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * sy_question_history_load_async:
 *
 * Lists the learner's attempts at the item, oldest first, with their answers.
 */
void
sy_question_history_load_async (SyStore             *store,
                                const char          *learner_uuid,
                                const char          *course_id,
                                const char          *item_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sy_question_history_load_async);
  sy_store_list_attempts_async (store, learner_uuid, course_id, item_id, cancellable,
                                attempts_listed_cb, task);
}

/**
 * sy_question_history_load_finish:
 *
 * Returns: (transfer full) (element-type SyPastAttempt): the attempts
 */
GPtrArray *
sy_question_history_load_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
