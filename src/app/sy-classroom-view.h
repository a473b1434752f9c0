/* sy-classroom-view.h — a teacher's classes: pupils, assignments, sessions, reports
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-learner.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_CLASSROOM_VIEW (sy_classroom_view_get_type ())

G_DECLARE_FINAL_TYPE (SyClassroomView, sy_classroom_view, SY, CLASSROOM_VIEW, AdwBin)

GtkWidget  *sy_classroom_view_new       (void);
void        sy_classroom_view_open      (SyClassroomView *self,
                                         SyStore         *store,
                                         SyLearner       *teacher);
void        sy_classroom_view_close     (SyClassroomView *self);
gboolean    sy_classroom_view_go_back   (SyClassroomView *self);

const char *sy_avatar_icon_name         (const char      *token);
void        sy_avatar_show              (AdwAvatar       *avatar,
                                         const char      *name,
                                         const char      *token);

G_END_DECLS
