/* sy-quiz-view.h — taking a quiz or answering a survey
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sy-course.h"
#include "sy-learner.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_QUIZ_VIEW (sy_quiz_view_get_type ())

G_DECLARE_FINAL_TYPE (SyQuizView, sy_quiz_view, SY, QUIZ_VIEW, GtkWidget)

/*
 * One question at a time. On creation the view resumes the learner's open attempt at the
 * item (sy_store_get_open_attempt_async) with its answers, or shows a start page (attempts
 * used / allowed, best score, past attempts to review) that starts a new one
 * (sy_store_start_attempt_async; options shuffled with the attempt's seed). Every answer is
 * recorded as an `answered` statement when given, so a power cut loses nothing; the end
 * records `passed` or `failed` (quizzes, scored against the item's pass mark) or
 * `completed` (surveys). Keyboard: number keys choose options, Enter submits / goes on.
 *
 * Signals: "finished" (the attempt ended; the course page should refresh).
 */
GtkWidget  *sy_quiz_view_new          (SyStore    *store,
                                       SyLearner  *learner,
                                       SyCourse   *course,
                                       SyItem     *item);

G_END_DECLS
