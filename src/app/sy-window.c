/* sy-window.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window owns a store on its data folder and talks to it only through _async calls:
 * the store's worker thread does the disk and database work, so the window never waits.
 *
 * A shared PC: the window starts at "Who is learning?", and everything after it (the
 * library, a course, a lesson or quiz) is the signed-in learner's. Switching learner, or
 * leaving the window alone for `idle-minutes`, goes back there; an open lesson is
 * stopped first so its time is recorded (quiz answers are recorded as they are given).
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-add-learner-dialog.h"
#include "sy-bench-frame.h"
#include "sy-bundle.h"
#include "sy-classroom-view.h"
#include "sy-coordinator-view.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-learner-chooser.h"
#include "sy-lesson-view.h"
#include "sy-pin-dialog.h"
#include "sy-present-window.h"
#include "sy-puzzle-view.h"
#include "sy-quiz-view.h"
#include "sy-store.h"
#include "sy-sync-ui-private.h"
#include "sy-util.h"
#include "sy-window-private.h"
#include "sy-window.h"

struct _SyWindow
{
  AdwApplicationWindow  parent_instance;

  char                 *data_dir;
  SyStore              *store;
  GSettings            *settings;
  GCancellable         *cancellable;         /* store work; cancelled when the window goes */
  GCancellable         *list_cancellable;
  GCancellable         *course_cancellable;
  char                 *course_id;           /* the course open, or last open */
  char                 *last_toast;
  GtkNativeDialog      *file_chooser;

  /* Who is learning */
  SyLearner            *learner;             /* signed in, or NULL at the chooser */
  GCancellable         *learners_cancellable;
  GtkWindow            *learner_dialog;      /* a PIN or add-learner dialog (weak) */
  char                 *focus_learner;       /* whose tile to focus once listed */
  SyCourseProgress     *course_progress;     /* the learner's, in the course open */
  double                text_scale;

  /* Signing out an idle learner: input is noted as it comes, and one timeout checks the
   * time when the idle minutes would be up. */
  gint64                last_input;          /* monotonic µs */
  guint                 idle_source;

  /* A lesson, quiz or survey open on the item page */
  GtkWidget            *item_view;            /* owned by item_bin */
  char                 *item_id;
  char                 *focus_item;          /* the row to focus once the course is back */

  /* Imports run one after the other; what happened is told once the queue is empty. */
  GQueue                import_queue;        /* GFile */
  GFile                *import_file;         /* being imported */
  GPtrArray            *import_errors;       /* char * */
  SyCourse             *import_course;       /* the last course added */
  SyImportOutcome       import_outcome;
  guint                 n_installed;
  guint                 n_updated;
  guint                 n_unchanged;

  guint                 importing : 1;
  guint                 store_ready : 1;
  guint                 store_failed : 1;
  guint                 library_loading : 1;
  guint                 course_loading : 1;
  guint                 progress_loading : 1;
  guint                 learners_loading : 1;
  guint                 certificate_saving : 1;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkSpinner           *import_spinner;
  GtkStack             *library_stack;
  GtkSpinner           *library_spinner;
  GtkScrolledWindow    *library_scroller;
  GtkGridView          *grid_view;
  GListStore           *courses;     /* SyCourse, by title */
  GPtrArray            *more_courses;
  guint                 covers_idle;
  guint                 more_courses_idle;
  AdwStatusPage        *error_page;
  SyCoursePage         *course_page;
  SyLearnerChooser     *chooser;
  GtkMenuButton        *primary_menu_button;
  GtkMenuButton        *learner_button;
  AdwAvatar            *learner_avatar;
  GtkLabel             *learner_label;
  AdwWindowTitle       *item_title;
  AdwBin               *item_bin;
  GtkMenuButton        *item_menu_button;
  GtkWidget            *classroom_button;
  SyClassroomView      *classroom_view;
  GtkWidget            *records_button;
  SyCoordinatorView    *coordinator_view;
  GtkWindow            *present_window;       /* weak */

  /* Records carried on a USB stick (bundles) */
  GtkWindow            *bundle_dialog;        /* the export's options or an error (weak) */
  GtkCheckButton       *bundle_courses_check;
  char                 *bundle_test_file;     /* tests: what the file chooser would give */
  gboolean              bundle_with_courses;
  guint                 bundle_busy : 1;

  /* Sync with the hub: the monitor decides when, the indicator and the catalog page show
   * it; made once the store is open. */
  SySyncMonitor        *sync_monitor;
  SySyncIndicator      *sync_indicator;
  SyCatalogPage        *catalog_page;
  GtkWindow            *preferences_window;   /* weak */

  /* Class mode: this PC serves one class's pupils, each with only the assigned work;
   * leaving it takes the teacher's PIN. */
  char                 *class_mode_uuid;
  SyLearner            *class_teacher;
  GPtrArray            *class_assignments;    /* SyClassAssignment */
};

G_DEFINE_FINAL_TYPE (SyWindow, sy_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_TEXT_SCALE,
  N_PROPS
};

#define TEXT_SCALE_MIN 1.0
#define TEXT_SCALE_MAX 2.0
#define TEXT_SCALE_STEP 0.1
#define DEFAULT_IDLE_MINUTES 15

static GParamSpec *properties[N_PROPS];

static void reload_library (SyWindow *self);
static void sign_out (SyWindow *self);
static gboolean class_pupil_done_cb (gpointer data);
static void start_sync_monitor (SyWindow *self);

static gboolean
page_is (SyWindow   *self,
         const char *name)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), name) == 0;
}

static gboolean
is_course_page_visible (SyWindow *self)
{
  return page_is (self, "course");
}

static void
update_actions (SyWindow *self)
{
  /* In class mode the PC is the class's: pupils add no learners and no courses. */
  gboolean can_add = !self->store_failed && self->class_mode_uuid == NULL;
  gboolean signed_in = self->learner != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back",
                                 page_is (self, "course") || page_is (self, "item") ||
                                 page_is (self, "classroom") || page_is (self, "catalog") ||
                                 page_is (self, "records"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.preferences",
                                 self->sync_monitor != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-catalog",
                                 can_add && signed_in && self->sync_monitor != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-classroom",
                                 signed_in && self->store_ready && page_is (self, "library") &&
                                 sy_learner_get_role (self->learner) == SY_ROLE_TEACHER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-records",
                                 signed_in && self->store_ready && page_is (self, "library") &&
                                 sy_learner_get_role (self->learner) == SY_ROLE_COORDINATOR);
  /* A teacher or coordinator carries the USB stick between the villages: their sign-in
   * (always with a PIN) keeps a pupil from taking everyone's records home. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-bundle",
                                 signed_in && self->store_ready && !self->bundle_busy &&
                                 sy_learner_get_role (self->learner) != SY_ROLE_LEARNER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-bundle",
                                 signed_in && self->store_ready && !self->bundle_busy &&
                                 sy_learner_get_role (self->learner) != SY_ROLE_LEARNER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-class-mode",
                                 signed_in && self->class_mode_uuid == NULL &&
                                 sy_learner_get_role (self->learner) == SY_ROLE_TEACHER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-class-mode",
                                 !signed_in && self->class_mode_uuid != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.present",
                                 signed_in && page_is (self, "item") &&
                                 (SY_IS_LESSON_VIEW (self->item_view) || SY_IS_QUIZ_VIEW (self->item_view)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-course", can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-folder", can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-learner",
                                 self->store_ready && !signed_in && can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-learner", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-certificate",
                                 signed_in && is_course_page_visible (self) &&
                                 !self->certificate_saving &&
                                 self->course_progress != NULL &&
                                 self->course_progress->completion_id != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.text-larger",
                                 self->text_scale < TEXT_SCALE_MAX - 0.001);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.text-smaller",
                                 self->text_scale > TEXT_SCALE_MIN + 0.001);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.text-normal",
                                 ABS (self->text_scale - 1.0) > 0.001);
}

static void
show_toast (SyWindow   *self,
            const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  /* Toast titles are markup in libadwaita 1.2; course titles may hold an "&". */
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

static void
show_library_error (SyWindow   *self,
                    const char *title,
                    const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_spinner_stop (self->library_spinner);
  gtk_stack_set_visible_child_name (self->library_stack, "error");
}

/* ---- the library ---- */

static int
compare_courses (gconstpointer a,
                 gconstpointer b)
{
  SyCourse *course_a = *(SyCourse **) a;
  SyCourse *course_b = *(SyCourse **) b;
  int ret;

  ret = g_utf8_collate (sy_text_get (sy_course_get_title (course_a), NULL),
                        sy_text_get (sy_course_get_title (course_b), NULL));
  if (ret == 0)
    ret = g_strcmp0 (sy_course_get_id (course_a), sy_course_get_id (course_b));
  return ret;
}

/* The grid only has cards for the courses on screen (and a few around): it recycles them. */
static SyCourseCard *
find_card (SyWindow   *self,
           const char *course_id)
{
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *child = gtk_widget_get_first_child (item);
      SyCourse *course;

      if (SY_IS_COURSE_CARD (child) &&
          (course = sy_course_card_get_course (SY_COURSE_CARD (child))) != NULL &&
          g_strcmp0 (sy_course_get_id (course), course_id) == 0)
        return SY_COURSE_CARD (child);
    }
  return NULL;
}

/* Focus goes to the grid's item that holds the card, as arrow keys would leave it. */
static void
focus_card (SyCourseCard *card)
{
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (card)));
}

/* Loads the covers of the cards on screen, and of one more screenful below. */
static gboolean
load_visible_covers_cb (gpointer user_data)
{
  SyWindow *self = user_data;
  GtkWidget *scroller = GTK_WIDGET (self->library_scroller);
  double height = gtk_widget_get_height (scroller);

  self->covers_idle = 0;
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *card = gtk_widget_get_first_child (item);
      graphene_rect_t bounds;

      if (SY_IS_COURSE_CARD (card) && gtk_widget_get_child_visible (item) &&
          gtk_widget_compute_bounds (card, scroller, &bounds) &&
          bounds.origin.y + bounds.size.height >= 0 && bounds.origin.y <= 2 * height)
        sy_course_card_load_cover (SY_COURSE_CARD (card));
    }
  return G_SOURCE_REMOVE;
}

static void
queue_load_visible_covers (SyWindow *self)
{
  if (self->covers_idle == 0)
    self->covers_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, load_visible_covers_cb,
                                         self, NULL);
}

static void
card_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  gtk_list_item_set_child (item, sy_course_card_new ());
}

static void
card_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              SyWindow                 *self)
{
  sy_course_card_set_course (SY_COURSE_CARD (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
  queue_load_visible_covers (self);
}

static void
card_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  sy_course_card_set_course (SY_COURSE_CARD (gtk_list_item_get_child (item)), NULL);
}

/* What a screen shows: 4 rows of 5 cards, 5 of 4, 7 of 3 (a card costs about 2 ms to make
 * on an old PC, and GTK 4.8's grid makes 30 rows' worth at once). */
#define FIRST_SCREENFUL 20

static gboolean
add_more_courses_cb (gpointer user_data)
{
  SyWindow *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->courses));

  self->more_courses_idle = 0;
  g_list_store_splice (self->courses, n, 0, self->more_courses->pdata + n,
                       self->more_courses->len - n);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

static void
list_courses_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GPtrArray) courses = NULL;
  g_autoptr(GError) error = NULL;
  gboolean had_focus;
  guint n_first;

  courses = sy_store_list_courses_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->library_loading = FALSE;

  if (courses == NULL)
    {
      show_library_error (self, _("Could Not Read Your Courses"), error->message);
      return;
    }

  /* In class mode a pupil sees the courses assigned to the class, no others. */
  if (self->class_mode_uuid != NULL && self->class_assignments != NULL)
    for (guint i = courses->len; i-- > 0;)
      {
        const char *id = sy_course_get_id (g_ptr_array_index (courses, i));
        gboolean assigned = FALSE;

        for (guint j = 0; j < self->class_assignments->len && !assigned; j++)
          assigned = g_str_equal (((SyClassAssignment *) g_ptr_array_index (self->class_assignments, j))->course_id, id);
        if (!assigned)
          g_ptr_array_remove_index (courses, i);
      }

  g_ptr_array_sort (courses, compare_courses);

  had_focus = gtk_widget_has_focus (GTK_WIDGET (self->grid_view)) ||
              gtk_widget_get_focus_child (GTK_WIDGET (self->grid_view)) != NULL;

  /* GTK 4.8's grid makes cards for 30 rows at once, far more than a screen shows: the
   * first screenful is painted before the rest are added. */
  g_clear_handle_id (&self->more_courses_idle, g_source_remove);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  n_first = MIN (courses->len, FIRST_SCREENFUL);
  g_list_store_splice (self->courses, 0, g_list_model_get_n_items (G_LIST_MODEL (self->courses)),
                       courses->pdata, n_first);
  if (courses->len > n_first)
    {
      self->more_courses = g_ptr_array_ref (courses);
      self->more_courses_idle = g_idle_add_full (G_PRIORITY_LOW, add_more_courses_cb, self, NULL);
    }

  gtk_spinner_stop (self->library_spinner);
  gtk_stack_set_visible_child_name (self->library_stack, courses->len > 0 ? "courses" : "empty");

  /* Keep keyboard users where they were when the grid is rebuilt under them. */
  if (had_focus && courses->len > 0 && !is_course_page_visible (self))
    {
      SyCourseCard *card = self->course_id ? find_card (self, self->course_id) : NULL;

      if (card != NULL)
        focus_card (card);
      else
        gtk_widget_child_focus (GTK_WIDGET (self->grid_view), GTK_DIR_TAB_FORWARD);
    }
}

static void
reload_library (SyWindow *self)
{
  if (!self->store_ready || self->learner == NULL)
    return;

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  self->library_loading = TRUE;

  /* Progress on the cards is the signed-in learner's only. */
  sy_store_list_courses_async (self->store, sy_learner_get_uuid (self->learner),
                               self->list_cancellable, list_courses_cb, g_object_ref (self));
}

/* ---- who is learning ---- */

static void
list_learners_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GPtrArray) learners = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *focus_uuid = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == sy_store_list_pupils_async)
    learners = sy_store_list_pupils_finish (SY_STORE (object), result, &error);
  else
    learners = sy_store_list_learners_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->learners_loading = FALSE;
  focus_uuid = g_steal_pointer (&self->focus_learner);

  if (learners == NULL)
    {
      sy_learner_chooser_show_error (self->chooser, error->message);
      return;
    }

  sy_learner_chooser_set_learners (self->chooser, learners);
  if (page_is (self, "learners") && self->learner_dialog == NULL)
    sy_learner_chooser_focus (self->chooser, focus_uuid);
  /* the first screen, with what it shows: who can sign in */
  bench_report_first_frame (GTK_WIDGET (self));
}

/* @focus_uuid: (nullable): whose tile takes the focus once they are listed */
static void
reload_learners (SyWindow   *self,
                 const char *focus_uuid)
{
  if (!self->store_ready)
    return;

  g_cancellable_cancel (self->learners_cancellable);
  g_clear_object (&self->learners_cancellable);
  self->learners_cancellable = g_cancellable_new ();
  self->learners_loading = TRUE;
  g_free (self->focus_learner);
  self->focus_learner = g_strdup (focus_uuid);

  if (self->class_mode_uuid != NULL)
    sy_store_list_pupils_async (self->store, self->class_mode_uuid, self->learners_cancellable,
                                list_learners_cb, g_object_ref (self));
  else
    sy_store_list_learners_async (self->store, self->learners_cancellable,
                                  list_learners_cb, g_object_ref (self));
}

/* The dialog goes, and nothing it was doing signs anyone in afterwards. */
static void
close_learner_dialog (SyWindow *self)
{
  GtkWindow *dialog = self->learner_dialog;

  if (dialog == NULL)
    return;

  g_clear_weak_pointer (&self->learner_dialog);
  g_signal_handlers_disconnect_by_data (dialog, self);
  gtk_window_destroy (dialog);
}

static void
restart_idle_timer (SyWindow *self);

static void
sign_in (SyWindow  *self,
         SyLearner *learner)
{
  const char *name = sy_learner_get_name (learner);

  g_assert (SY_IS_LEARNER (learner));

  close_learner_dialog (self);
  g_set_object (&self->learner, learner);
  g_debug ("Signed in: %s", sy_learner_get_uuid (learner));

  sy_avatar_set_learner_name (self->learner_avatar, name);
  gtk_label_set_label (self->learner_label, name);
  /* Teachers always have a PIN, so whoever sees their classes has typed it. */
  gtk_widget_set_visible (self->classroom_button,
                          sy_learner_get_role (learner) == SY_ROLE_TEACHER);
  /* Coordinators too: whoever sees the organisation's records has typed the PIN. */
  gtk_widget_set_visible (self->records_button,
                          sy_learner_get_role (learner) == SY_ROLE_COORDINATOR);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->learner_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);

  /* Nothing of the last learner's shows while this one's courses load. */
  g_list_store_remove_all (self->courses);
  if (!self->store_failed)
    {
      gtk_spinner_start (self->library_spinner);
      gtk_stack_set_visible_child_name (self->library_stack, "loading");
    }
  adw_leaflet_set_visible_child_name (self->leaflet, "library");
  gtk_widget_grab_focus (GTK_WIDGET (self->grid_view));

  self->last_input = g_get_monotonic_time ();
  restart_idle_timer (self);
  reload_library (self);
  update_actions (self);
}

static void
end_class_mode (SyWindow *self)
{
  g_clear_pointer (&self->class_mode_uuid, g_free);
  g_clear_object (&self->class_teacher);
  g_clear_pointer (&self->class_assignments, g_ptr_array_unref);
  sy_learner_chooser_set_class (self->chooser, NULL);
  reload_learners (self, NULL);
}

static void
pin_accepted_cb (SyWindow    *self,
                 SyLearner   *learner,
                 SyPinDialog *dialog)
{
  /* Pupils have no PIN: in class mode, a PIN is the teacher's, leaving the mode. */
  if (self->class_mode_uuid != NULL)
    end_class_mode (self);

  /* The dialog closes itself once this returns. */
  g_clear_weak_pointer (&self->learner_dialog);
  sign_in (self, learner);
}

static void
learner_activated_cb (SyWindow         *self,
                      SyLearner        *learner,
                      SyLearnerChooser *chooser)
{
  SyPinDialog *dialog;

  if (self->learner_dialog != NULL)
    return;

  if (!sy_learner_get_has_pin (learner))
    {
      sign_in (self, learner);
      return;
    }

  dialog = sy_pin_dialog_new (GTK_WINDOW (self), self->store, learner);
  g_signal_connect_object (dialog, "accepted", G_CALLBACK (pin_accepted_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->learner_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
learner_added_cb (SyWindow           *self,
                  SyLearner          *learner,
                  SyAddLearnerDialog *dialog)
{
  /* Whoever added themselves just chose their PIN: no need to ask for it. The dialog
   * closes itself once this returns. */
  g_clear_weak_pointer (&self->learner_dialog);
  reload_learners (self, NULL);
  sign_in (self, learner);
}

static void
add_learner_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  SyAddLearnerDialog *dialog;

  if (self->learner_dialog != NULL)
    {
      gtk_window_present (self->learner_dialog);
      return;
    }

  dialog = sy_add_learner_dialog_new (GTK_WINDOW (self), self->store);
  g_signal_connect_object (dialog, "learner-added", G_CALLBACK (learner_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->learner_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
switch_learner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  sign_out (SY_WINDOW (widget));
}

static void
store_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sy_store_open_finish (SY_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Could not open the store in %s: %s", self->data_dir, error->message);
      self->store_failed = TRUE;
      show_library_error (self, _("Could Not Open Your Courses"), error->message);
      /* Nobody can sign in to a store that is not open: the error is what to see. */
      adw_leaflet_set_visible_child_name (self->leaflet, "library");
      update_actions (self);
      return;
    }

  self->store_ready = TRUE;
  reload_learners (self, NULL);
  start_sync_monitor (self);
  update_actions (self);
}

/* ---- a course ---- */

static void
get_course_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  course = sy_store_get_course_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->course_loading = FALSE;

  if (course == NULL)
    {
      sy_course_page_show_error (self->course_page, error->message);
      return;
    }

  sy_course_page_set_course (self->course_page, course);
  sy_course_page_set_loading (self->course_page, FALSE);

  /* Back from a lesson or quiz: the rows were made again; keyboard users stay put. */
  if (self->focus_item != NULL && is_course_page_visible (self))
    sy_course_page_focus_item (self->course_page, self->focus_item);
  g_clear_pointer (&self->focus_item, g_free);
}

static void
list_progress_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  list = sy_store_list_progress_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->progress_loading = FALSE;
  g_clear_pointer (&self->course_progress, sy_course_progress_free);

  if (list == NULL)
    g_debug ("No progress for %s: %s", self->course_id, error->message);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      SyCourseProgress *progress = g_ptr_array_index (list, i);

      if (g_strcmp0 (progress->course_id, self->course_id) == 0)
        {
          self->course_progress = g_ptr_array_steal_index (list, i);
          break;
        }
    }

  sy_course_page_set_progress (self->course_page, self->course_progress);
  update_actions (self);
}

/* The course open, and the learner's progress in it, from the store */
static void
load_course (SyWindow *self)
{
  const char *learner_uuid = sy_learner_get_uuid (self->learner);

  g_cancellable_cancel (self->course_cancellable);
  g_clear_object (&self->course_cancellable);
  self->course_cancellable = g_cancellable_new ();
  self->course_loading = TRUE;
  self->progress_loading = TRUE;

  sy_store_get_course_async (self->store, self->course_id, learner_uuid,
                             self->course_cancellable, get_course_cb, g_object_ref (self));
  sy_store_list_progress_async (self->store, learner_uuid, self->course_cancellable,
                                list_progress_cb, g_object_ref (self));
}


/* The items of @course_id a pupil may open in class mode, or NULL when all of them
 * (outside class mode, or the whole course is assigned). */
static GStrv
class_item_filter (SyWindow   *self,
                   const char *course_id)
{
  g_autoptr(GStrvBuilder) ids = NULL;

  if (self->class_mode_uuid == NULL || self->class_assignments == NULL)
    return NULL;

  ids = g_strv_builder_new ();
  for (guint i = 0; i < self->class_assignments->len; i++)
    {
      SyClassAssignment *a = g_ptr_array_index (self->class_assignments, i);

      if (!g_str_equal (a->course_id, course_id))
        continue;
      if (a->item_id == NULL)
        return NULL;
      g_strv_builder_add (ids, a->item_id);
    }
  return g_strv_builder_end (ids);
}

static void
open_course (SyWindow *self,
             SyCourse *course)
{
  g_assert (SY_IS_COURSE (course));
  g_assert (self->learner != NULL);

  g_free (self->course_id);
  self->course_id = g_strdup (sy_course_get_id (course));
  g_clear_pointer (&self->course_progress, sy_course_progress_free);

  /* In class mode only the work assigned to the class is listed. */
  {
    g_auto(GStrv) item_ids = class_item_filter (self, sy_course_get_id (course));

    sy_course_page_set_item_filter (self->course_page, (const char * const *) item_ids);
  }

  /* The listing has everything but the modules: show it while they load. */
  sy_course_page_set_loading (self->course_page, TRUE);
  sy_course_page_set_course (self->course_page, course);
  sy_course_page_set_progress (self->course_page, NULL);
  adw_leaflet_set_visible_child_name (self->leaflet, "course");
  gtk_widget_child_focus (GTK_WIDGET (self->course_page), GTK_DIR_TAB_FORWARD);

  load_course (self);
}

static void
grid_view_activate_cb (SyWindow    *self,
                       guint        position,
                       GtkGridView *grid_view)
{
  g_autoptr(SyCourse) course = g_list_model_get_item (G_LIST_MODEL (self->courses), position);

  if (course != NULL && self->learner != NULL)
    open_course (self, course);
}

/* ---- a lesson, quiz or survey ---- */

/* Something was recorded that changes what the course page and the cards show. */
static void
item_progressed_cb (SyWindow *self)
{
  if (self->learner == NULL || self->course_id == NULL)
    return;

  load_course (self);
  reload_library (self);
  /* one more record waiting for the hub */
  if (self->sync_monitor != NULL)
    sy_sync_monitor_refresh (self->sync_monitor);
}

/* "Back to Course" on a quiz's result: leaving the page refreshes the course. */
static void
quiz_finished_cb (SyWindow *self)
{
  if (page_is (self, "item"))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* A closed view leaves the page at the end of the slide back, not before it. (A slide
 * may also end because another began: the view just opened stays.) */
static void
release_item_view (SyWindow *self)
{
  GtkWidget *child = adw_bin_get_child (self->item_bin);

  if (child != NULL && child != self->item_view &&
      !page_is (self, "item") && !adw_leaflet_get_child_transition_running (self->leaflet))
    adw_bin_set_child (self->item_bin, NULL);
}

/* Stops the open lesson or quiz: a lesson records the time read so far. */
static void
close_item (SyWindow *self,
            gboolean  refresh)
{
  GtkWidget *view = self->item_view;

  if (view == NULL)
    return;

  self->item_view = NULL;
  g_signal_handlers_disconnect_by_data (view, self);
  if (SY_IS_LESSON_VIEW (view))
    sy_lesson_view_stop (SY_LESSON_VIEW (view));

  g_free (self->focus_item);
  self->focus_item = g_steal_pointer (&self->item_id);

  if (refresh)
    item_progressed_cb (self);
  release_item_view (self);
}

static void
item_activated_cb (SyWindow     *self,
                   const char   *item_id,
                   SyCoursePage *page)
{
  SyCourse *course = sy_course_page_get_course (page);
  SyItem *item;
  GtkWidget *view;

  if (self->learner == NULL || course == NULL || sy_course_page_get_loading (page) ||
      (item = sy_course_find_item (course, item_id)) == NULL)
    return;

  /* In class mode a pupil opens the work assigned to the class, nothing else. */
  if (self->class_mode_uuid != NULL && self->class_assignments != NULL)
    {
      gboolean assigned = FALSE;

      for (guint i = 0; i < self->class_assignments->len && !assigned; i++)
        {
          SyClassAssignment *a = g_ptr_array_index (self->class_assignments, i);
          assigned = g_str_equal (a->course_id, sy_course_get_id (course)) &&
                     (a->item_id == NULL || g_str_equal (a->item_id, item_id));
        }
      if (!assigned)
        {
          show_toast (self, _("This is not part of your class’s work today."));
          return;
        }
    }

  close_item (self, FALSE);
  adw_bin_set_child (self->item_bin, NULL);

  switch (item->type)
    {
    case SY_ITEM_LESSON:
      view = sy_lesson_view_new (self->store, self->learner, course, item);
      g_object_bind_property (self, "text-scale", view, "text-scale", G_BINDING_SYNC_CREATE);
      g_signal_connect_object (view, "completed", G_CALLBACK (item_progressed_cb), self,
                               G_CONNECT_SWAPPED);
      break;

    case SY_ITEM_QUIZ:
    case SY_ITEM_SURVEY:
      view = sy_quiz_view_new (self->store, self->learner, course, item);
      g_signal_connect_object (view, "finished", G_CALLBACK (quiz_finished_cb), self,
                               G_CONNECT_SWAPPED);
      break;

    case SY_ITEM_PUZZLE:
      view = sy_puzzle_view_new (self->store, self->learner, course, item);
      g_signal_connect_object (view, "finished", G_CALLBACK (quiz_finished_cb), self,
                               G_CONNECT_SWAPPED);
      break;

    default:
      return;
    }

  self->item_view = view;
  self->item_id = g_strdup (item_id);

  adw_window_title_set_title (self->item_title, sy_text_get (item->title, NULL));
  adw_window_title_set_subtitle (self->item_title, sy_text_get (sy_course_get_title (course), NULL));
  adw_bin_set_child (self->item_bin, view);
  adw_leaflet_set_visible_child_name (self->leaflet, "item");
  gtk_widget_child_focus (view, GTK_DIR_TAB_FORWARD);
}

static void
leaflet_visible_child_cb (SyWindow *self)
{
  if (page_is (self, "library"))
    {
      SyCourseCard *card;

      g_cancellable_cancel (self->course_cancellable);
      g_clear_object (&self->course_cancellable);
      self->course_loading = FALSE;
      self->progress_loading = FALSE;

      if (self->course_id != NULL && (card = find_card (self, self->course_id)) != NULL)
        focus_card (card);
    }

  /* However the item page was left (Back, a swipe, switching learner), the lesson stops.
   * In class mode the pupil is done then: the next one chooses their tile. */
  if (!page_is (self, "item"))
    {
      gboolean was_open = self->item_view != NULL;

      close_item (self, self->learner != NULL);
      if (was_open && self->class_mode_uuid != NULL && self->learner != NULL)
        g_idle_add_full (G_PRIORITY_DEFAULT, class_pupil_done_cb, g_object_ref (self), g_object_unref);
    }

  update_actions (self);
}

static void
leaflet_transition_cb (SyWindow *self)
{
  release_item_view (self);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (page_is (self, "classroom"))
    {
      if (!sy_classroom_view_go_back (self->classroom_view))
        adw_leaflet_set_visible_child_name (self->leaflet, "library");
      return;
    }
  if (page_is (self, "catalog") || page_is (self, "records"))
    {
      adw_leaflet_set_visible_child_name (self->leaflet, "library");
      return;
    }
  if (page_is (self, "course") || page_is (self, "item"))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- pages of one role: the classroom (and present mode), a coordinator's records ---- */

static gboolean
learner_is (SyWindow *self,
            SyRole    role)
{
  return self->learner != NULL && sy_learner_get_role (self->learner) == role;
}

static void
show_page (SyWindow   *self,
           const char *name,
           GtkWidget  *page)
{
  adw_leaflet_set_visible_child_name (self->leaflet, name);
  gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

static void
show_classroom_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (!learner_is (self, SY_ROLE_TEACHER))
    return;
  sy_classroom_view_open (self->classroom_view, self->store, self->learner);
  show_page (self, "classroom", GTK_WIDGET (self->classroom_view));
}

static void
show_records_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (!learner_is (self, SY_ROLE_COORDINATOR))
    return;
  sy_coordinator_view_open (self->coordinator_view, self->store, self->learner);
  show_page (self, "records", GTK_WIDGET (self->coordinator_view));
}

/* ---- records on a USB stick ---- */

/* The core's messages say in plain words what is wrong and that nothing was merged; the
 * heading says which kind of trouble it is. */
static void
show_bundle_error (SyWindow     *self,
                   const char   *heading,
                   const GError *error)
{
  GtkWidget *dialog;

  if (g_error_matches (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED))
    heading = _("The Records File Is Damaged");
  else if (g_error_matches (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_FORMAT))
    heading = _("This Is Not a Records File Shuyuan Can Read");

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  g_set_weak_pointer (&self->bundle_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
bundle_exported_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  SyBundleSummary summary = { 0 };

  self->bundle_busy = FALSE;
  update_actions (self);
  if (!sy_store_export_bundle_finish (SY_STORE (object), result, &summary, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_bundle_error (self, _("Could Not Export the Records"), error);
      return;
    }
  if (summary.statements == 0 && summary.courses == 0)
    {
      show_toast (self, _("No new records to carry: the hub already has every record of this PC"));
      return;
    }
  {
    g_autofree char *records = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record", "%u records",
                                                             summary.statements),
                                                summary.statements);
    g_autofree char *learners = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u learner", "%u learners",
                                                              summary.learners),
                                                 summary.learners);
    g_autofree char *courses = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u course", "%u courses",
                                                             summary.courses),
                                                summary.courses);
    /* Translators: "12 records, 3 learners and 1 course written" */
    g_autofree char *text = g_strdup_printf (_("%s, %s and %s written"), records, learners, courses);

    show_toast (self, text);
  }
}

static void
export_bundle_to (SyWindow   *self,
                  const char *path)
{
  SyBundleOptions opts = { 0 };

  opts.all_courses = self->bundle_with_courses;
  self->bundle_busy = TRUE;
  update_actions (self);
  sy_store_export_bundle_async (self->store, path, &opts, self->cancellable, bundle_exported_cb,
                                g_object_ref (self));
}

static void
bundle_imported_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  SyBundleSummary summary = { 0 };

  self->bundle_busy = FALSE;
  update_actions (self);
  if (!sy_store_import_bundle_finish (SY_STORE (object), result, &summary, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_bundle_error (self, _("Could Not Import the Records"), error);
      return;
    }
  {
    g_autofree char *text = NULL;

    if (summary.statements_added == 0 && summary.learners_added == 0 &&
        summary.courses_installed + summary.courses_updated == 0)
      text = g_strdup (_("Nothing new: this PC already had every record in the file"));
    else
      {
        g_autofree char *records = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new record", "%u new records",
                                                                 summary.statements_added),
                                                    summary.statements_added);
        g_autofree char *learners = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new learner", "%u new learners",
                                                                  summary.learners_added),
                                                     summary.learners_added);
        g_autofree char *courses = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u course", "%u courses",
                                                                 summary.courses_installed + summary.courses_updated),
                                                    summary.courses_installed + summary.courses_updated);
        /* Translators: "Imported 12 new records, 3 new learners and 1 course" */
        text = g_strdup_printf (_("Imported %s, %s and %s"), records, learners, courses);
      }
    show_toast (self, text);
  }
  if (summary.courses_installed + summary.courses_updated > 0)
    reload_library (self);
  if (summary.learners_added > 0 && self->learner == NULL)
    reload_learners (self, NULL);
  if (page_is (self, "records"))
    sy_coordinator_view_reload (self->coordinator_view);
}

static void
import_bundle_from (SyWindow   *self,
                    const char *path)
{
  self->bundle_busy = TRUE;
  update_actions (self);
  sy_store_import_bundle_async (self->store, path, self->cancellable, bundle_imported_cb,
                                g_object_ref (self));
}

static void
bundle_chooser_response_cb (GtkNativeDialog *native,
                            int              response,
                            SyWindow        *self)
{
  gboolean exporting = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (native)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL && exporting)
        export_bundle_to (self, path);
      else if (path != NULL)
        import_bundle_from (self, path);
    }
  gtk_native_dialog_destroy (native);
  if (self->file_chooser == native)
    g_clear_object (&self->file_chooser);
}

static void
choose_bundle (SyWindow *self,
               gboolean  exporting)
{
  g_autoptr(GtkFileChooserNative) native = NULL;
  g_autoptr(GtkFileFilter) bundles = gtk_file_filter_new ();

  if (self->bundle_test_file != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->bundle_test_file);

      if (exporting)
        export_bundle_to (self, path);
      else
        import_bundle_from (self, path);
      return;
    }

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }
  native = gtk_file_chooser_native_new (exporting ? _("Export Records to USB") : _("Import Records"),
                                        GTK_WINDOW (self),
                                        exporting ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                  : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        exporting ? _("_Save") : _("_Import"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_filter_set_name (bundles, _("Shuyuan records (.sybundle)"));
  gtk_file_filter_add_suffix (bundles, "sybundle");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), bundles);
  if (exporting)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
      /* Translators: a file name; %s is today's date */
      g_autofree char *name = g_strdup_printf (_("records-%s.sybundle"), date);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    }
  else
    {
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
      gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), bundles);
    }
  g_signal_connect_object (native, "response", G_CALLBACK (bundle_chooser_response_cb), self, 0);
  self->file_chooser = GTK_NATIVE_DIALOG (g_steal_pointer (&native));
  gtk_native_dialog_show (self->file_chooser);
}

static void
bundle_options_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            SyWindow         *self)
{
  if (g_strcmp0 (response, "export") != 0)
    return;
  self->bundle_with_courses = self->bundle_courses_check != NULL &&
                              gtk_check_button_get_active (self->bundle_courses_check);
  choose_bundle (self, TRUE);
}

static void
export_bundle_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  GtkWidget *dialog, *check;

  if (self->learner == NULL || sy_learner_get_role (self->learner) == SY_ROLE_LEARNER ||
      self->bundle_dialog != NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Export Records to USB"),
                                   _("The records this PC has not yet sent to the hub, and the learners they belong to, are written to one file. Carry it to a PC that syncs, or to the coordinator, and import it there."));
  check = gtk_check_button_new_with_mnemonic (_("Also carry the courses _installed on this PC"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), check);
  self->bundle_courses_check = GTK_CHECK_BUTTON (check);
  g_object_add_weak_pointer (G_OBJECT (check), (gpointer *) &self->bundle_courses_check);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (bundle_options_response_cb), self, 0);
  g_set_weak_pointer (&self->bundle_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_bundle_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (self->learner == NULL || sy_learner_get_role (self->learner) == SY_ROLE_LEARNER)
    return;
  choose_bundle (self, FALSE);
}

static void
class_assignments_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GPtrArray) assignments = NULL;
  g_autoptr(GError) error = NULL;

  assignments = sy_store_list_assignments_finish (SY_STORE (object), result, &error);
  if (assignments == NULL)
    {
      g_clear_pointer (&self->class_mode_uuid, g_free);
      g_clear_object (&self->class_teacher);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      return;
    }

  self->class_assignments = g_steal_pointer (&assignments);
  /* The teacher signs out; from now on the chooser shows the class's pupils. */
  sign_out (self);
}

/* @param: (ss): the class's UUID and name */
static void
start_class_mode_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  const char *uuid;
  const char *name;

  if (self->learner == NULL || sy_learner_get_role (self->learner) != SY_ROLE_TEACHER ||
      self->class_mode_uuid != NULL)
    return;

  g_variant_get (param, "(&s&s)", &uuid, &name);
  self->class_mode_uuid = g_strdup (uuid);
  self->class_teacher = g_object_ref (self->learner);
  sy_learner_chooser_set_class (self->chooser, name);
  sy_store_list_assignments_async (self->store, uuid, self->cancellable, class_assignments_cb,
                                   g_object_ref (self));
}

static void
leave_class_mode_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  SyPinDialog *dialog;

  if (self->class_mode_uuid == NULL || self->learner != NULL || self->learner_dialog != NULL)
    return;

  /* The teacher's PIN; pin_accepted_cb ends the mode and signs the teacher in. */
  dialog = sy_pin_dialog_new (GTK_WINDOW (self), self->store, self->class_teacher);
  g_signal_connect_object (dialog, "accepted", G_CALLBACK (pin_accepted_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->learner_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
class_pupil_done_cb (gpointer data)
{
  SyWindow *self = data;

  if (self->class_mode_uuid != NULL && self->learner != NULL && !page_is (self, "item"))
    sign_out (self);
  return G_SOURCE_REMOVE;
}

static void
present_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  SyCourse *course = sy_course_page_get_course (self->course_page);
  SyItem *item;
  SyPresentWindow *present;

  if (self->learner == NULL || course == NULL || self->item_id == NULL ||
      self->present_window != NULL ||
      (item = sy_course_find_item (course, self->item_id)) == NULL)
    return;

  present = sy_present_window_new (GTK_WINDOW (self), self->store, self->learner, course, item);
  g_set_weak_pointer (&self->present_window, GTK_WINDOW (present));
  gtk_window_present (GTK_WINDOW (present));
}

/* ---- signing out ---- */

static void
sign_out (SyWindow *self)
{
  g_autofree char *uuid = NULL;

  if (self->learner == NULL)
    return;

  uuid = g_strdup (sy_learner_get_uuid (self->learner));
  g_debug ("Signed out: %s", uuid);

  /* Unfinished work first, while it still knows whose it is. */
  close_item (self, FALSE);

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->course_cancellable);
  self->library_loading = self->course_loading = self->progress_loading = FALSE;
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->more_courses_idle, g_source_remove);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);

  /* Nothing of theirs stays behind the chooser for the next person to see. */
  if (self->present_window != NULL)
    gtk_window_destroy (self->present_window);
  sy_classroom_view_close (self->classroom_view);
  gtk_widget_set_visible (self->classroom_button, FALSE);
  sy_coordinator_view_close (self->coordinator_view);
  gtk_widget_set_visible (self->records_button, FALSE);
  if (self->bundle_dialog != NULL)
    gtk_window_destroy (self->bundle_dialog);
  g_clear_object (&self->learner);
  g_clear_pointer (&self->course_id, g_free);
  g_clear_pointer (&self->focus_item, g_free);
  g_clear_pointer (&self->course_progress, sy_course_progress_free);
  g_list_store_remove_all (self->courses);
  sy_course_page_set_course (self->course_page, NULL);
  gtk_label_set_label (self->learner_label, NULL);

  adw_leaflet_set_visible_child_name (self->leaflet, "learners");
  sy_learner_chooser_focus (self->chooser, uuid);
  reload_learners (self, uuid);
  update_actions (self);
}

/* ---- idle learners ---- */

static guint
get_idle_seconds (SyWindow *self)
{
  int minutes = self->settings ? g_settings_get_int (self->settings, "idle-minutes")
                               : DEFAULT_IDLE_MINUTES;

  return CLAMP (minutes, 1, 240) * 60;
}

static gboolean idle_timeout_cb (gpointer user_data);

/* Signs out if the idle minutes are up, else checks again when they would be. */
static void
restart_idle_timer (SyWindow *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 deadline;

  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->learner == NULL)
    return;

  deadline = self->last_input + (gint64) get_idle_seconds (self) * G_USEC_PER_SEC;
  if (now >= deadline)
    {
      g_debug ("No input for %u minutes: back to the learners", get_idle_seconds (self) / 60);
      sign_out (self);
      return;
    }

  /* Seconds are precise enough, and let GLib wake the PC less often. */
  self->idle_source = g_timeout_add_seconds ((guint) ((deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC),
                                             idle_timeout_cb, self);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  SyWindow *self = user_data;

  self->idle_source = 0;
  restart_idle_timer (self);
  return G_SOURCE_REMOVE;
}

/* Every key, click, scroll or pointer movement in the window, before any widget sees it:
 * noting the time is all it costs; the timeout looks at it when it fires. */
static void
note_input (SyWindow *self)
{
  self->last_input = g_get_monotonic_time ();
}

static gboolean
key_pressed_cb (SyWindow *self)
{
  note_input (self);
  return GDK_EVENT_PROPAGATE;
}

static gboolean
scrolled_cb (SyWindow *self)
{
  note_input (self);
  return GDK_EVENT_PROPAGATE;
}

static void
add_input_controllers (SyWindow *self)
{
  GtkEventController *controller;

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (note_input), self,
                           G_CONNECT_SWAPPED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Never claims the click: the widget under the pointer still gets it. */
  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (controller), 0);
  g_signal_connect_object (controller, "pressed", G_CALLBACK (note_input), self,
                           G_CONNECT_SWAPPED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scrolled_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* ---- certificates ---- */

static void
write_certificate_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;

  code = sy_store_write_certificate_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->certificate_saving = FALSE;
  update_actions (self);

  if (code == NULL)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("Could Not Save the Certificate"),
                                                           error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      adw_message_dialog_set_default_response (dialog, "close");
      adw_message_dialog_set_close_response (dialog, "close");
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  {
    /* Translators: %s is the code that proves a certificate is genuine */
    g_autofree char *text = g_strdup_printf (_("Certificate saved. Verification code: %s"), code);
    show_toast (self, text);
  }
}

static void
save_certificate_to (SyWindow   *self,
                     const char *path)
{
  g_assert (self->learner != NULL && self->course_id != NULL);

  self->certificate_saving = TRUE;
  update_actions (self);
  sy_store_write_certificate_async (self->store, sy_learner_get_uuid (self->learner),
                                    self->course_id, path, self->cancellable,
                                    write_certificate_cb, g_object_ref (self));
}

static void
certificate_chooser_response_cb (GtkNativeDialog *native,
                                 int              response,
                                 SyWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->learner != NULL && self->course_id != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        save_certificate_to (self, path);
    }

  gtk_native_dialog_destroy (native);
  if (self->file_chooser == native)
    g_clear_object (&self->file_chooser);
}

/* "<course title> - <learner>.pdf", without what file systems refuse in a name */
static char *
certificate_file_name (SyWindow *self)
{
  SyCourse *course = sy_course_page_get_course (self->course_page);
  SyText *title = course ? sy_course_get_title (course) : self->course_progress->course_title;
  char *name = g_strdup_printf ("%s - %s.pdf", sy_text_get (title, NULL),
                                sy_learner_get_name (self->learner));

  return g_strdelimit (name, "/\\:*?\"<>|", '_');
}

static void
save_certificate_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  g_autoptr(GtkFileChooserNative) native = NULL;
  g_autoptr(GtkFileFilter) pdf = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->learner == NULL || self->course_progress == NULL)
    return;

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  native = gtk_file_chooser_native_new (_("Save Certificate"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  gtk_file_filter_set_name (pdf, _("PDF documents"));
  gtk_file_filter_add_mime_type (pdf, "application/pdf");
  gtk_file_filter_add_suffix (pdf, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), pdf);

  name = certificate_file_name (self);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);

  g_signal_connect_object (native, "response",
                           G_CALLBACK (certificate_chooser_response_cb), self, 0);
  self->file_chooser = GTK_NATIVE_DIALOG (g_steal_pointer (&native));
  gtk_native_dialog_show (self->file_chooser);
}

/* ---- text size ---- */

static void
set_text_scale (SyWindow *self,
                double    scale)
{
  /* Steps of a tenth, without the drift of adding 0.1 again and again */
  scale = CLAMP (round (scale * 10) / 10, TEXT_SCALE_MIN, TEXT_SCALE_MAX);
  if (scale == self->text_scale)
    return;

  self->text_scale = scale;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

static void
text_size_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (g_str_equal (action_name, "win.text-larger"))
    set_text_scale (self, self->text_scale + TEXT_SCALE_STEP);
  else if (g_str_equal (action_name, "win.text-smaller"))
    set_text_scale (self, self->text_scale - TEXT_SCALE_STEP);
  else
    set_text_scale (self, 1.0);
}

static gboolean
scale_to_percent (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%d%%", (int) round (g_value_get_double (from) * 100)));
  return TRUE;
}

static GtkWidget *
create_text_size_button (const char *action_name,
                         const char *icon_name,
                         const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_set_tooltip_text (button, label);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

/* Like GNOME Text Editor's zoom controls: − 100% + in the primary menu. */
static void
add_text_size_control (SyWindow      *self,
                       GtkMenuButton *menu_button)
{
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (menu_button));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (_("Text Size"));
  GtkWidget *reset;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_add_css_class (box, "text-size");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), create_text_size_button ("win.text-smaller", "zoom-out-symbolic",
                                                          _("Smaller Text")));

  reset = gtk_button_new ();
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reset), "win.text-normal");
  gtk_widget_set_tooltip_text (reset, _("Normal Text Size"));
  gtk_widget_add_css_class (reset, "flat");
  gtk_widget_add_css_class (reset, "numeric");
  gtk_widget_set_size_request (reset, 64, -1);
  g_object_bind_property_full (self, "text-scale", reset, "label", G_BINDING_SYNC_CREATE,
                               scale_to_percent, NULL, NULL, NULL);
  gtk_box_append (GTK_BOX (box), reset);

  gtk_box_append (GTK_BOX (box), create_text_size_button ("win.text-larger", "zoom-in-symbolic",
                                                          _("Larger Text")));
  gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), box, "text-size");
}

/* ---- adding courses ---- */

static void
report_imports (SyWindow *self)
{
  guint n_added = self->n_installed + self->n_updated;
  guint n_done = n_added + self->n_unchanged;

  if (n_done == 1)
    {
      const char *title = sy_text_get (sy_course_get_title (self->import_course), NULL);
      g_autofree char *text = NULL;
      g_autofree char *version = NULL;

      switch (self->import_outcome)
        {
        case SY_IMPORT_INSTALLED:
          /* Translators: %s is a course title */
          text = g_strdup_printf (_("“%s” added"), title);
          break;

        case SY_IMPORT_UPDATED:
          version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                     sy_course_get_version (self->import_course));
          /* Translators: the first %s is a course title, the second a version number */
          text = g_strdup_printf (_("“%s” updated to version %s"), title, version);
          break;

        case SY_IMPORT_UNCHANGED:
        default:
          /* Translators: %s is a course title */
          text = g_strdup_printf (_("“%s” is already installed"), title);
          break;
        }
      show_toast (self, text);
    }
  else if (n_done > 1 && n_added == 0)
    {
      show_toast (self, _("These courses are already installed"));
    }
  else if (n_done > 1)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u course added",
                                                            "%u courses added",
                                                            n_added),
                                               n_added);
      show_toast (self, text);
    }

  if (self->import_errors->len > 0)
    {
      g_autoptr(GString) body = g_string_new (NULL);
      AdwMessageDialog *dialog;

      for (guint i = 0; i < self->import_errors->len; i++)
        {
          if (i > 0)
            g_string_append (body, "\n\n");
          g_string_append (body, g_ptr_array_index (self->import_errors, i));
        }

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           g_dngettext (GETTEXT_PACKAGE,
                                                                        "Could Not Add Course",
                                                                        "Could Not Add Courses",
                                                                        self->import_errors->len),
                                                           body->str));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      adw_message_dialog_set_default_response (dialog, "close");
      adw_message_dialog_set_close_response (dialog, "close");
      gtk_window_present (GTK_WINDOW (dialog));
    }

  self->n_installed = self->n_updated = self->n_unchanged = 0;
  g_clear_object (&self->import_course);
  g_ptr_array_set_size (self->import_errors, 0);
}

static void import_next (SyWindow *self);

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  SyImportOutcome outcome = SY_IMPORT_UNCHANGED;

  course = sy_store_import_finish (SY_STORE (object), result, &outcome, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (course == NULL)
    {
      g_autofree char *name = g_file_get_basename (self->import_file);

      /* The core's message names the file inside the package and the field, and says what
       * to fix; which package it was matters when several were dropped at once. */
      g_ptr_array_add (self->import_errors, g_strdup_printf ("%s: %s", name, error->message));
    }
  else
    {
      switch (outcome)
        {
        case SY_IMPORT_INSTALLED:
          self->n_installed++;
          break;
        case SY_IMPORT_UPDATED:
          self->n_updated++;
          break;
        case SY_IMPORT_UNCHANGED:
        default:
          self->n_unchanged++;
          break;
        }
      g_set_object (&self->import_course, course);
      self->import_outcome = outcome;
    }

  import_next (self);
}

static void
import_next (SyWindow *self)
{
  g_clear_object (&self->import_file);
  self->import_file = g_queue_pop_head (&self->import_queue);

  if (self->import_file != NULL)
    {
      sy_store_import_async (self->store, self->import_file, self->cancellable, import_cb,
                             g_object_ref (self));
      return;
    }

  self->importing = FALSE;
  gtk_spinner_stop (self->import_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->import_spinner), FALSE);

  if (self->n_installed + self->n_updated > 0)
    reload_library (self);
  report_imports (self);
}

/**
 * sy_window_import:
 * @files: (array length=n_files): course folders and .zip packages
 *
 * Adds the courses in @files to the store, one after the other, with a spinner in the
 * header bar meanwhile. Then a toast says what was added and a dialog what could not be.
 */
void
sy_window_import (SyWindow      *self,
                  GFile * const *files,
                  guint          n_files)
{
  g_return_if_fail (SY_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  for (guint i = 0; i < n_files; i++)
    g_queue_push_tail (&self->import_queue, g_object_ref (files[i]));

  if (self->importing || g_queue_is_empty (&self->import_queue))
    return;

  self->importing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->import_spinner), TRUE);
  gtk_spinner_start (self->import_spinner);
  import_next (self);
}

static void
file_chooser_response_cb (GtkNativeDialog *native,
                          int              response,
                          SyWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (model, i));
      sy_window_import (self, (GFile * const *) files->pdata, files->len);
    }

  gtk_native_dialog_destroy (native);
  if (self->file_chooser == native)
    g_clear_object (&self->file_chooser);
}

static void
choose_courses (SyWindow *self,
                gboolean  folders)
{
  g_autoptr(GtkFileChooserNative) native = NULL;

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  native = gtk_file_chooser_native_new (folders ? _("Add Course Folder") : _("Add Course"),
                                        GTK_WINDOW (self),
                                        folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Add"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);

  if (!folders)
    {
      g_autoptr(GtkFileFilter) packages = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (packages, _("Course packages"));
      gtk_file_filter_add_suffix (packages, "zip");
      gtk_file_filter_add_mime_type (packages, "application/zip");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), packages);

      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);

      gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), packages);
    }

  g_signal_connect_object (native, "response",
                           G_CALLBACK (file_chooser_response_cb), self, 0);
  self->file_chooser = GTK_NATIVE_DIALOG (g_steal_pointer (&native));
  gtk_native_dialog_show (self->file_chooser);
}

static void
add_course_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  choose_courses (SY_WINDOW (widget), FALSE);
}

static void
add_folder_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  choose_courses (SY_WINDOW (widget), TRUE);
}

static gboolean
drop_cb (SyWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  GSList *list;

  if (self->store_failed || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);

  if (files->len == 0)
    return FALSE;

  /* The core decides what is a course: anything else gets an error that says why. */
  sy_window_import (self, (GFile * const *) files->pdata, files->len);
  return TRUE;
}

/* ---- sync with the hub ---- */

static void
sync_finished_cb (SyWindow            *self,
                  const SySyncSummary *summary)
{
  /* Courses came, or progress made on other PCs: the cards show it. */
  if (summary != NULL && (summary->courses_downloaded > 0 || summary->pulled > 0))
    reload_library (self);
  /* Learners of the organisation who studied on another PC can now sign in here. */
  if (summary != NULL && summary->learners_pulled > 0 && self->learner == NULL)
    reload_learners (self, NULL);
  /* the organisation's records the sync pulled */
  if (summary != NULL && summary->pulled > 0 && page_is (self, "records"))
    sy_coordinator_view_reload (self->coordinator_view);
  if (summary != NULL && summary->courses_downloaded > 0 && page_is (self, "catalog") &&
      !sy_catalog_page_get_busy (self->catalog_page))
    sy_catalog_page_load (self->catalog_page);
}

static void
course_installed_cb (SyWindow      *self,
                     const char    *course_id,
                     const char    *title,
                     SyCatalogPage *page)
{
  /* Translators: %s is a course title */
  g_autofree char *text = g_strdup_printf (_("“%s” installed"), title);

  show_toast (self, text);
  reload_library (self);
}

static void
start_sync_monitor (SyWindow *self)
{
  if (self->sync_monitor != NULL)
    return;

  self->sync_monitor = sy_sync_monitor_new (self->store, self->settings);
  g_signal_connect_object (self->sync_monitor, "sync-finished", G_CALLBACK (sync_finished_cb),
                           self, G_CONNECT_SWAPPED);
  sy_sync_indicator_set_monitor (self->sync_indicator, self->sync_monitor);
  sy_catalog_page_set_monitor (self->catalog_page, self->sync_monitor);
  sy_sync_monitor_start (self->sync_monitor);
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);
  SyPreferencesWindow *preferences;

  if (self->sync_monitor == NULL)
    return;
  if (self->preferences_window != NULL)
    {
      gtk_window_present (self->preferences_window);
      return;
    }

  preferences = sy_preferences_window_new (GTK_WINDOW (self), self->sync_monitor);
  g_set_weak_pointer (&self->preferences_window, GTK_WINDOW (preferences));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
show_catalog_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (self->sync_monitor == NULL || self->learner == NULL)
    return;

  sy_catalog_page_load (self->catalog_page);
  adw_leaflet_set_visible_child_name (self->leaflet, "catalog");
  gtk_widget_child_focus (GTK_WIDGET (self->catalog_page), GTK_DIR_TAB_FORWARD);
}

/* ---- window state ---- */

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running uninstalled without the compiled schema is allowed: nothing is remembered. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found: the window size is not remembered", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (SyWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (SyWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
sy_window_close_request (GtkWindow *window)
{
  save_window_state (SY_WINDOW (window));

  return GTK_WINDOW_CLASS (sy_window_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
sy_window_constructed (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  G_OBJECT_CLASS (sy_window_parent_class)->constructed (object);

  if (self->data_dir == NULL)
    self->data_dir = sy_default_data_dir ();

  self->settings = create_settings ();
  restore_window_state (self);

  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "text-scale", self, "text-scale", G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (self->settings, "changed::idle-minutes",
                               G_CALLBACK (restart_idle_timer), self, G_CONNECT_SWAPPED);
    }

  self->store = sy_store_new (self->data_dir);
  sy_learner_chooser_set_loading (self->chooser);
  gtk_spinner_start (self->library_spinner);
  sy_store_open_async (self->store, self->cancellable, store_open_cb, g_object_ref (self));

  update_actions (self);
}

static void
sy_window_dispose (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  g_clear_weak_pointer (&self->present_window);
  if (self->preferences_window != NULL)
    gtk_window_destroy (self->preferences_window);
  g_clear_weak_pointer (&self->preferences_window);
  g_clear_object (&self->class_teacher);
  g_clear_handle_id (&self->covers_idle, g_source_remove);
  g_clear_handle_id (&self->more_courses_idle, g_source_remove);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->course_cancellable);
  g_cancellable_cancel (self->learners_cancellable);

  /* An open lesson records its time before the window goes; then nothing more is loaded
   * for anyone while the widgets go. */
  close_item (self, FALSE);
  g_clear_object (&self->learner);
  close_learner_dialog (self);
  if (self->bundle_dialog != NULL)
    gtk_window_destroy (self->bundle_dialog);
  g_clear_weak_pointer (&self->bundle_dialog);

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_WINDOW);

  g_queue_clear_full (&self->import_queue, g_object_unref);
  g_clear_object (&self->import_file);
  g_clear_object (&self->import_course);
  g_clear_object (&self->courses);
  /* Its runs hold it: disposing it cancels them, so nothing syncs for a closed window. */
  if (self->sync_monitor != NULL)
    g_object_run_dispose (G_OBJECT (self->sync_monitor));
  g_clear_object (&self->sync_monitor);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->course_cancellable);
  g_clear_object (&self->learners_cancellable);
  g_clear_object (&self->learner);
  g_clear_pointer (&self->course_progress, sy_course_progress_free);

  G_OBJECT_CLASS (sy_window_parent_class)->dispose (object);
}

static void
sy_window_finalize (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  g_clear_pointer (&self->import_errors, g_ptr_array_unref);
  g_free (self->data_dir);
  g_free (self->course_id);
  g_free (self->last_toast);
  g_free (self->focus_learner);
  g_free (self->item_id);
  g_free (self->focus_item);
  g_free (self->class_mode_uuid);
  g_free (self->bundle_test_file);
  g_clear_pointer (&self->class_assignments, g_ptr_array_unref);

  G_OBJECT_CLASS (sy_window_parent_class)->finalize (object);
}

static void
sy_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SyWindow *self = SY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SyWindow *self = SY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;

    case PROP_TEXT_SCALE:
      set_text_scale (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_window_class_init (SyWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sy_window_constructed;
  object_class->dispose = sy_window_dispose;
  object_class->finalize = sy_window_finalize;
  object_class->get_property = sy_window_get_property;
  object_class->set_property = sy_window_set_property;

  window_class->close_request = sy_window_close_request;

  /**
   * SyWindow:data-dir:
   *
   * The folder with the database and the installed courses; %NULL for the default.
   */
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SyWindow:text-scale:
   *
   * How large lesson text is, from 1.0 (normal) to 2.0; kept in GSettings "text-scale".
   */
  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL,
                         TEXT_SCALE_MIN, TEXT_SCALE_MAX, 1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SY_TYPE_COURSE_PAGE);
  g_type_ensure (SY_TYPE_LEARNER_CHOOSER);
  g_type_ensure (SY_TYPE_CLASSROOM_VIEW);
  g_type_ensure (SY_TYPE_COORDINATOR_VIEW);
  g_type_ensure (SY_TYPE_SYNC_INDICATOR);
  g_type_ensure (SY_TYPE_CATALOG_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SyWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, import_spinner);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_stack);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_spinner);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_scroller);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, course_page);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, chooser);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, learner_button);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, learner_avatar);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, learner_label);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, item_title);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, item_bin);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, item_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, classroom_button);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, classroom_view);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, records_button);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, coordinator_view);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, catalog_page);
  gtk_widget_class_bind_template_callback (widget_class, course_installed_cb);
  gtk_widget_class_bind_template_callback (widget_class, grid_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_visible_child_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_transition_cb);
  gtk_widget_class_bind_template_callback (widget_class, learner_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, item_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.add-course", NULL, add_course_action);
  gtk_widget_class_install_action (widget_class, "win.add-folder", NULL, add_folder_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.show-classroom", NULL, show_classroom_action);
  gtk_widget_class_install_action (widget_class, "win.present", NULL, present_action);
  gtk_widget_class_install_action (widget_class, "win.show-records", NULL, show_records_action);
  gtk_widget_class_install_action (widget_class, "win.export-bundle", NULL, export_bundle_action);
  gtk_widget_class_install_action (widget_class, "win.import-bundle", NULL, import_bundle_action);
  gtk_widget_class_install_action (widget_class, "win.start-class-mode", "(ss)", start_class_mode_action);
  gtk_widget_class_install_action (widget_class, "win.leave-class-mode", NULL, leave_class_mode_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.present", NULL);
  gtk_widget_class_install_action (widget_class, "win.add-learner", NULL, add_learner_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.show-catalog", NULL, show_catalog_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "win.preferences", NULL);
  gtk_widget_class_install_action (widget_class, "win.switch-learner", NULL, switch_learner_action);
  gtk_widget_class_install_action (widget_class, "win.save-certificate", NULL, save_certificate_action);
  gtk_widget_class_install_action (widget_class, "win.text-larger", NULL, text_size_action);
  gtk_widget_class_install_action (widget_class, "win.text-smaller", NULL, text_size_action);
  gtk_widget_class_install_action (widget_class, "win.text-normal", NULL, text_size_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.add-course", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.add-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.switch-learner", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "win.text-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "win.text-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK,
                                       "win.text-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "win.text-smaller", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK,
                                       "win.text-smaller", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "win.text-normal", NULL);
}

static void
sy_window_init (SyWindow *self)
{
  GtkListItemFactory *factory;
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A grid view makes cards only for what is on screen: a library of hundreds of courses
   * starts as fast as one of three (see docs/benchmarks.md). */
  self->courses = g_list_store_new (SY_TYPE_COURSE);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (card_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (card_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (card_unbind_cb), NULL);
  gtk_grid_view_set_factory (self->grid_view, factory);
  g_object_unref (factory);
  gtk_grid_view_set_model (self->grid_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->courses)))));
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->library_scroller),
                           "value-changed", G_CALLBACK (queue_load_visible_covers), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->library_scroller),
                           "changed", G_CALLBACK (queue_load_visible_covers), self,
                           G_CONNECT_SWAPPED);

  self->cancellable = g_cancellable_new ();
  self->import_errors = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->import_queue);

  self->text_scale = 1.0;
  add_text_size_control (self, self->primary_menu_button);
  add_text_size_control (self, self->item_menu_button);

  /* Capture phase: input counts before any widget can stop it. */
  add_input_controllers (self);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/**
 * sy_window_new:
 * @application: (nullable): the application
 * @data_dir: (nullable): the data folder, %NULL for sy_default_data_dir()
 *
 * Returns: (transfer none): a new window that opens the store in @data_dir
 */
SyWindow *
sy_window_new (GtkApplication *application,
               const char     *data_dir)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SY_TYPE_WINDOW,
                       "application", application,
                       "data-dir", data_dir,
                       NULL);
}

const char *
sy_window_get_data_dir (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->data_dir;
}

/* ---- for the tests ---- */

/* Returns: the number of courses in the library */
guint
_sy_window_get_n_cards (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->courses));
}

/* Returns: (nullable): the card showing the @index-th course, if it is on screen */
SyCourseCard *
_sy_window_get_card (SyWindow *self,
                     guint     index)
{
  g_autoptr(SyCourse) course = NULL;

  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  course = g_list_model_get_item (G_LIST_MODEL (self->courses), index);
  return course ? find_card (self, sy_course_get_id (course)) : NULL;
}

/* How many cards the grid has made, and how many of them show their cover. */
void
_sy_window_count_cards (SyWindow *self,
                        guint    *n_made,
                        guint    *n_with_cover)
{
  *n_made = *n_with_cover = 0;
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *card = gtk_widget_get_first_child (item);

      if (SY_IS_COURSE_CARD (card) && sy_course_card_get_course (SY_COURSE_CARD (card)))
        {
          *n_made += 1;
          *n_with_cover += sy_course_card_has_cover (SY_COURSE_CARD (card));
        }
    }
}

SyCoursePage *
_sy_window_get_course_page (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->course_page;
}

/* Returns: "learners" for the chooser; "loading", "empty", "courses" or "error" for the
 * library; "course" for a course; "item" for a lesson, quiz or survey */
const char *
_sy_window_get_view (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  if (page_is (self, "learners"))
    return "learners";
  if (page_is (self, "item"))
    return "item";
  if (page_is (self, "classroom"))
    return "classroom";
  if (page_is (self, "catalog"))
    return "catalog";
  if (page_is (self, "records"))
    return "records";
  if (is_course_page_visible (self))
    return "course";
  return gtk_stack_get_visible_child_name (self->library_stack);
}

/* Returns: whether the window is waiting for the store */
gboolean
_sy_window_is_busy (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), FALSE);

  return (!self->store_ready && !self->store_failed) ||
         self->library_loading || self->course_loading || self->progress_loading ||
         self->learners_loading || self->certificate_saving || self->importing ||
         self->bundle_busy;
}

const char *
_sy_window_get_last_toast (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->last_toast;
}

SyLearnerChooser *
_sy_window_get_chooser (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->chooser;
}

/* Returns: (nullable): the learner signed in */
SyLearner *
_sy_window_get_learner (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->learner;
}

/* Returns: (nullable): the PIN or add-learner dialog open */
GtkWindow *
_sy_window_get_learner_dialog (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->learner_dialog;
}

/* Returns: (nullable): the #SyLessonView or #SyQuizView open */
GtkWidget *
_sy_window_get_item_view (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->item_view;
}

/* Returns: (nullable): the learner's progress in the course open */
const SyCourseProgress *
_sy_window_get_course_progress (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->course_progress;
}

/**
 * _sy_window_pretend_idle:
 * @seconds: how long ago the last input should seem
 *
 * Makes the last input seem @seconds older and checks, as the timeout would, whether the
 * idle minutes are up: a test need not wait for them.
 */
void
_sy_window_pretend_idle (SyWindow *self,
                         guint     seconds)
{
  g_return_if_fail (SY_IS_WINDOW (self));

  self->last_input -= (gint64) seconds * G_USEC_PER_SEC;
  restart_idle_timer (self);
}

/* What "Save" in the certificate's file chooser does, without the chooser */
void
_sy_window_save_certificate (SyWindow   *self,
                             const char *path)
{
  g_return_if_fail (SY_IS_WINDOW (self));
  g_return_if_fail (self->learner != NULL && self->course_id != NULL);

  save_certificate_to (self, path);
}

/* Returns: (transfer full): the name the certificate's file chooser suggests */
char *
_sy_window_get_certificate_name (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);
  g_return_val_if_fail (self->learner != NULL, NULL);

  return certificate_file_name (self);
}

SyClassroomView *
_sy_window_get_classroom_view (SyWindow *self)
{
  return self->classroom_view;
}

GtkWindow *
_sy_window_get_present_window (SyWindow *self)
{
  return self->present_window;
}

/* ---- for the sync tests (sy-sync-ui-private.h) ---- */

/* Returns: (nullable): the sync monitor, once the store is open */
SySyncMonitor *
_sy_window_get_sync_monitor (SyWindow *self)
{
  return self->sync_monitor;
}

SySyncIndicator *
_sy_window_get_sync_indicator (SyWindow *self)
{
  return self->sync_indicator;
}

SyCatalogPage *
_sy_window_get_catalog_page (SyWindow *self)
{
  return self->catalog_page;
}

/* Returns: (nullable): the Preferences window, if open */
SyPreferencesWindow *
_sy_window_get_preferences_window (SyWindow *self)
{
  return (SyPreferencesWindow *) self->preferences_window;
}

/* ---- for the coordinator tests ---- */

SyCoordinatorView *
_sy_window_get_coordinator_view (SyWindow *self)
{
  return self->coordinator_view;
}

/* Returns: (nullable): the bundle export's options or a bundle error, if shown */
GtkWindow *
_sy_window_get_bundle_dialog (SyWindow *self)
{
  return self->bundle_dialog;
}

/* The file the next bundle file chooser would give, without showing it */
void
_sy_window_set_bundle_file (SyWindow   *self,
                            const char *path)
{
  g_free (self->bundle_test_file);
  self->bundle_test_file = g_strdup (path);
}
