/* sy-coordinator-view.h — a coordinator's records: completions, surveys, quarantine
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-learner.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_COORDINATOR_VIEW (sy_coordinator_view_get_type ())

G_DECLARE_FINAL_TYPE (SyCoordinatorView, sy_coordinator_view, SY, COORDINATOR_VIEW, AdwBin)

GtkWidget  *sy_coordinator_view_new     (void);
void        sy_coordinator_view_open    (SyCoordinatorView *self,
                                         SyStore           *store,
                                         SyLearner         *coordinator);
void        sy_coordinator_view_close   (SyCoordinatorView *self);
void        sy_coordinator_view_reload  (SyCoordinatorView *self);

G_END_DECLS
