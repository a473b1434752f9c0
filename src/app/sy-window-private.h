/* sy-window-private.h — what the UI tests may look at
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-window.h"

G_BEGIN_DECLS

guint         _sy_window_get_n_cards      (SyWindow *self);
SyCourseCard *_sy_window_get_card         (SyWindow *self,
                                           guint     index);
SyCoursePage *_sy_window_get_course_page  (SyWindow *self);
const char   *_sy_window_get_view         (SyWindow *self);
gboolean      _sy_window_is_busy          (SyWindow *self);
const char   *_sy_window_get_last_toast   (SyWindow *self);
void          _sy_window_count_cards      (SyWindow *self,
                                           guint    *n_made,
                                           guint    *n_with_cover);

G_END_DECLS
