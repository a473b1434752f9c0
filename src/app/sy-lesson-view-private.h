/* sy-lesson-view-private.h — what the UI tests may drive in a lesson view
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-lesson-view.h"

G_BEGIN_DECLS

/* Time on task in tests: seconds are counted by _sy_lesson_view_tick() instead of a real
 * timer once the clock is manual, and the idle limit and the slice recorded as
 * `progressed` can be shortened from their 120 s and 60 s. */
void               _sy_lesson_view_set_limits          (SyLessonView *self,
                                                        guint         idle_seconds,
                                                        guint         slice_seconds);
void               _sy_lesson_view_set_manual_clock    (SyLessonView *self,
                                                        gboolean      manual);
gboolean           _sy_lesson_view_tick                (SyLessonView *self);
gboolean           _sy_lesson_view_is_counting         (SyLessonView *self);
gboolean           _sy_lesson_view_has_timer           (SyLessonView *self);
gboolean           _sy_lesson_view_get_reached_end     (SyLessonView *self);
GtkScrolledWindow *_sy_lesson_view_get_scrolled_window (SyLessonView *self);
GtkWidget         *_sy_lesson_view_get_content         (SyLessonView *self);
const char        *_sy_lesson_view_get_footer_text     (SyLessonView *self);
void               _sy_lesson_view_set_presenting      (SyLessonView *self);

G_END_DECLS
