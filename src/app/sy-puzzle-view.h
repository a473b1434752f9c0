/* sy-puzzle-view.h — solving a grid puzzle with a block program
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

#define SY_TYPE_PUZZLE_VIEW (sy_puzzle_view_get_type ())

G_DECLARE_FINAL_TYPE (SyPuzzleView, sy_puzzle_view, SY, PUZZLE_VIEW, GtkWidget)

/*
 * The grid, a palette of the puzzle's blocks and the child's program. Run animates the
 * robot one step per tick (Step: one step per press); a solved run records `passed` once,
 * with the program text as the response, the number of runs as tries and the seconds
 * since the view opened. A failed run says why, marks the block at fault and where the
 * robot stopped, and the child edits and tries again. Keyboard: Tab to the palette, Enter
 * adds a block, Delete removes the selected block, F5 or Ctrl+Enter runs.
 *
 * Signals: "finished" (the child pressed Continue after solving the puzzle).
 */
GtkWidget *sy_puzzle_view_new (SyStore   *store,
                               SyLearner *learner,
                               SyCourse  *course,
                               SyItem    *item);

G_END_DECLS
