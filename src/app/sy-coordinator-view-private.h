/* sy-coordinator-view-private.h — what the UI tests may look at and do
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-coordinator-view.h"
#include "sy-report.h"

G_BEGIN_DECLS

gboolean                  _sy_coordinator_view_is_busy          (SyCoordinatorView *self);
const char               *_sy_coordinator_view_get_last_toast   (SyCoordinatorView *self);
const SyCompletionReport *_sy_coordinator_view_get_report       (SyCoordinatorView *self);
GPtrArray                *_sy_coordinator_view_get_surveys      (SyCoordinatorView *self);
GPtrArray                *_sy_coordinator_view_get_quarantine   (SyCoordinatorView *self);
GtkWindow                *_sy_coordinator_view_get_dialog       (SyCoordinatorView *self);
GtkColumnView            *_sy_coordinator_view_get_column_view  (SyCoordinatorView *self);
GtkEditable              *_sy_coordinator_view_get_from_entry   (SyCoordinatorView *self);
GtkDropDown              *_sy_coordinator_view_get_status_drop  (SyCoordinatorView *self);
GtkDropDown              *_sy_coordinator_view_get_course_drop  (SyCoordinatorView *self);
GtkDropDown              *_sy_coordinator_view_get_group_drop   (SyCoordinatorView *self);
GListModel               *_sy_coordinator_view_get_groups       (SyCoordinatorView *self);
guint                     _sy_coordinator_group_get_completions (gpointer           group);
void                      _sy_coordinator_view_show_page        (SyCoordinatorView *self,
                                                                 const char        *name);
void                      _sy_coordinator_view_set_chooser_file (SyCoordinatorView *self,
                                                                 const char        *path);

G_END_DECLS
