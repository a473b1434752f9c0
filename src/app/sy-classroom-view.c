/* sy-classroom-view.c — a teacher's classes: pupils, assignments, sessions, reports
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of the window's leaflet, with its own drill-down in a stack:
 *
 *   classes → class (pupils, avatars, assigned work)
 *                 → attendance (a session) → class quiz → its results
 *                 → coach report
 *
 * Everything goes through the store's _async calls; each tap on the attendance grid and
 * each answer typed in a class quiz is recorded as it happens, so a power cut loses
 * nothing. The pupils' avatars are symbolic icons every GNOME desktop has.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-classroom-view-private.h"
#include "sy-course.h"
#include "sy-format.h"
#include "sy-learner-chooser.h"
#include "sy-present-window.h"
#include "sy-question-input.h"
#include "sy-quiz.h"

struct _SyClassroomView
{
  AdwBin              parent_instance;

  SyStore            *store;
  SyLearner          *teacher;
  GCancellable       *cancellable;
  guint               busy;
  char               *last_toast;

  AdwToastOverlay    *toasts;
  GtkStack           *stack;
  AdwWindowTitle     *title;
  GtkWidget          *new_class_button;
  GtkWidget          *save_pdf_button;

  /* classes */
  GtkStack           *classes_stack;
  GtkListBox         *classes_list;
  GPtrArray          *classes;          /* SyClass */

  /* one class */
  char               *class_uuid;
  char               *class_name;
  GPtrArray          *pupils;           /* SyLearner */
  GPtrArray          *assignments;      /* SyClassAssignment */
  GtkListBox         *pupils_list;
  GtkListBox         *assign_list;

  /* courses read in full, for assigning and class quizzes: id → SyCourse */
  GHashTable         *courses;
  GPtrArray          *assign_ids;       /* the courses the assign dialog lists */

  /* a session */
  SyClassSession     *session;
  GPtrArray          *attendance;       /* SyAttendance */
  GtkFlowBox         *attendance_box;
  GtkLabel           *attendance_count;

  /* a class quiz */
  SyCourse           *quiz_course;
  SyItem             *quiz_item;
  SyQuiz             *quiz;
  guint               quiz_question;
  guint               quiz_pupil;
  GHashTable         *answers;          /* "pupil\nquestion" → what is shown */
  guint               n_pending;
  AdwBin             *question_bin;
  GtkFlowBox         *answer_box;
  GtkLabel           *quiz_hint;
  GtkWidget          *answer_row;       /* typed answers: the entry and an Absent button */
  GtkEditable        *answer_entry;
  guint32             toggled;          /* multiple answer: bit n-1 set when option n is chosen */
  GArray             *quiz_order;       /* ordering and matching: the options in numbered order */
  GPtrArray          *results;          /* SyClassQuizResult */
  GtkListBox         *results_list;

  /* the coach report */
  SyCoachReport      *report;
  AdwBin             *report_bin;
  GtkFileChooserNative *file_chooser;

  /* the dialog open, if any */
  GtkWindow          *dialog;
  GtkEditable        *dialog_entry;
  GtkTextView        *dialog_text;
  GtkListBox         *dialog_list;
  GtkWidget          *dialog_button;
  GtkLabel           *dialog_error;
};

G_DEFINE_FINAL_TYPE (SyClassroomView, sy_classroom_view, ADW_TYPE_BIN)

static void reload_classes (SyClassroomView *self);
static void load_class (SyClassroomView *self);
static void update_actions (SyClassroomView *self);

/* ---- avatars ---- */

static const struct {
  const char *token;
  const char *icon;
  const char *label;
} avatars[] = {
  { "smile",   "face-smile-symbolic",             N_("Smile") },
  { "laugh",   "face-laugh-symbolic",             N_("Laugh") },
  { "cool",    "face-cool-symbolic",              N_("Sunglasses") },
  { "glasses", "face-glasses-symbolic",           N_("Glasses") },
  { "angel",   "face-angel-symbolic",             N_("Angel") },
  { "monkey",  "face-monkey-symbolic",            N_("Monkey") },
  { "nature",  "emoji-nature-symbolic",           N_("Leaf") },
  { "food",    "emoji-food-symbolic",             N_("Apple") },
  { "travel",  "emoji-travel-symbolic",           N_("Car") },
  { "games",   "applications-games-symbolic",     N_("Games") },
  { "music",   "emblem-music-symbolic",           N_("Music") },
  { "science", "applications-science-symbolic",   N_("Science") },
};

/**
 * sy_avatar_icon_name:
 * @token: (nullable): an avatar token (see sy_avatar_is_valid())
 *
 * Returns: (nullable): the icon the app shows for @token, or %NULL if it has none
 */
const char *
sy_avatar_icon_name (const char *token)
{
  if (token == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (avatars); i++)
    if (g_str_equal (avatars[i].token, token))
      return avatars[i].icon;
  return NULL;
}

/**
 * sy_avatar_show:
 *
 * Shows a pupil's avatar icon on @avatar, or the initials of @name if there is none.
 */
void
sy_avatar_show (AdwAvatar  *avatar,
                const char *name,
                const char *token)
{
  const char *icon = sy_avatar_icon_name (token);

  g_return_if_fail (ADW_IS_AVATAR (avatar));

  sy_avatar_set_learner_name (avatar, name);
  adw_avatar_set_icon_name (avatar, icon);
  adw_avatar_set_show_initials (avatar, icon == NULL);
}

/* ---- small things ---- */

static void
show_toast (SyClassroomView *self,
            const char      *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (escaped));
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

/* A store call failed: say why, unless the view cancelled it on the way out. */
static void
show_error (SyClassroomView *self,
            const GError    *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_toast (self, error->message);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
placeholder_row (const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_widget_add_css_class (row, "dim-label");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

static GtkWidget *
new_boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

/* A heading with a button at its end, over a boxed list: a preferences group we can
 * empty and refill. */
static GtkWidget *
new_section (const char  *heading,
             GtkWidget   *suffix,
             GtkWidget   *list)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (heading);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (top), label);
  if (suffix != NULL)
    gtk_box_append (GTK_BOX (top), suffix);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), list);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  return box;
}

static GtkWidget *
new_page (GtkWidget *content)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_widget_set_margin_top (content, 24);
  gtk_widget_set_margin_bottom (content, 24);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  return scroller;
}

static GtkWidget *
pill_button (const char *mnemonic,
             const char *name,
             const char *action,
             gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_add_css_class (button, "pill");
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  return button;
}

static void
begin_busy (SyClassroomView *self)
{
  self->busy++;
}

static void
end_busy (SyClassroomView *self)
{
  g_assert (self->busy > 0);
  self->busy--;
}

static const char *
page_name (SyClassroomView *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static gboolean
page_is (SyClassroomView *self,
         const char      *name)
{
  return g_strcmp0 (page_name (self), name) == 0;
}

static void
update_header (SyClassroomView *self)
{
  const char *title = _("Classroom");
  const char *subtitle = NULL;

  if (!page_is (self, "classes"))
    {
      title = self->class_name;
      if (page_is (self, "attendance"))
        subtitle = _("Attendance");
      else if (page_is (self, "quiz") || page_is (self, "results"))
        subtitle = self->quiz_item ? sy_text_get (self->quiz_item->title, NULL) : NULL;
      else if (page_is (self, "report"))
        subtitle = _("Coach Report");
    }
  adw_window_title_set_title (self->title, title);
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_widget_set_visible (self->new_class_button, page_is (self, "classes"));
  gtk_widget_set_visible (self->save_pdf_button, page_is (self, "report"));
}

static void
show_page (SyClassroomView *self,
           const char      *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_header (self);
  update_actions (self);
}

/* ---- dialogs ---- */

static void
dialog_destroyed_cb (SyClassroomView *self)
{
  self->dialog = NULL;
  self->dialog_entry = NULL;
  self->dialog_text = NULL;
  self->dialog_list = NULL;
  self->dialog_button = NULL;
  self->dialog_error = NULL;
}

static void
close_dialog (SyClassroomView *self)
{
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
}

static void
dialog_error (SyClassroomView *self,
              const char      *message)
{
  if (self->dialog_error == NULL)
    {
      show_toast (self, message);
      return;
    }
  gtk_label_set_label (self->dialog_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->dialog_error), message != NULL);
  if (self->dialog_button != NULL)
    gtk_widget_set_sensitive (self->dialog_button, TRUE);
}

/* A small modal window: Cancel and one action in the header, @content under it. */
static void
open_dialog (SyClassroomView *self,
             const char      *title,
             const char      *action_label,
             GCallback        action_cb,
             GtkWidget       *content)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *error = gtk_label_new (NULL);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  close_dialog (self);

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_set_default_size (GTK_WINDOW (window), 460, action_cb ? 360 : 520);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), action_cb == NULL);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  if (action_cb != NULL)
    {
      GtkWidget *action = gtk_button_new_with_mnemonic (action_label);
      GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

      gtk_widget_set_name (action, "dialog-action");
      gtk_widget_add_css_class (action, "suggested-action");
      g_signal_connect_object (action, "clicked", action_cb, self, G_CONNECT_SWAPPED);
      g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), window);
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
      adw_header_bar_pack_end (ADW_HEADER_BAR (header), action);
      gtk_window_set_default_widget (GTK_WINDOW (window), action);
      self->dialog_button = action;
    }
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 18);
  gtk_widget_set_margin_start (body, 18);
  gtk_widget_set_margin_end (body, 18);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (body), content);
  gtk_label_set_wrap (GTK_LABEL (error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error), 0);
  gtk_widget_add_css_class (error, "error");
  gtk_widget_set_visible (error, FALSE);
  gtk_box_append (GTK_BOX (body), error);
  gtk_box_append (GTK_BOX (box), body);
  adw_window_set_content (ADW_WINDOW (window), box);

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);

  self->dialog = GTK_WINDOW (window);
  self->dialog_error = GTK_LABEL (error);
  g_signal_connect_object (window, "destroy", G_CALLBACK (dialog_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

static GtkWidget *
labelled (const char *mnemonic,
          GtkWidget  *widget,
          GtkWidget  *focus)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), focus);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

/* ---- the classes ---- */

static void
class_row_activated_cb (SyClassroomView *self,
                        GtkListBoxRow   *row)
{
  SyClass *klass = g_object_get_data (G_OBJECT (row), "sy-class");

  if (klass == NULL)
    return;
  g_free (self->class_uuid);
  g_free (self->class_name);
  self->class_uuid = g_strdup (klass->uuid);
  self->class_name = g_strdup (klass->name);
  load_class (self);
  show_page (self, "class");
}

static void
list_classes_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  classes = sy_store_list_classes_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (classes == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  g_clear_pointer (&self->classes, g_ptr_array_unref);
  self->classes = g_steal_pointer (&classes);
  clear_list (self->classes_list);

  for (guint i = 0; i < self->classes->len; i++)
    {
      SyClass *klass = g_ptr_array_index (self->classes, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      /* Translators: how many pupils a class has */
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pupil", "%u pupils",
                                               klass->n_pupils), klass->n_pupils);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), klass->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "sy-class", klass);
      gtk_list_box_append (self->classes_list, row);
    }

  gtk_stack_set_visible_child_name (self->classes_stack, self->classes->len ? "list" : "empty");
}

static void
reload_classes (SyClassroomView *self)
{
  begin_busy (self);
  sy_store_list_classes_async (self->store, sy_learner_get_uuid (self->teacher), FALSE,
                               self->cancellable, list_classes_cb, g_object_ref (self));
}

static void
create_class_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  klass = sy_store_create_class_finish (SY_STORE (object), result, &error);
  if (klass == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dialog_error (self, error->message);
      return;
    }

  close_dialog (self);
  g_free (self->class_uuid);
  g_free (self->class_name);
  self->class_uuid = g_strdup (klass->uuid);
  self->class_name = g_strdup (klass->name);
  reload_classes (self);
  load_class (self);
  show_page (self, "class");
}

static void
create_class_clicked_cb (SyClassroomView *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (self->dialog_entry)));

  if (*name == '\0')
    {
      dialog_error (self, _("Type the class’s name, e.g. “Grade 3, Class 1”."));
      return;
    }
  gtk_widget_set_sensitive (self->dialog_button, FALSE);
  begin_busy (self);
  sy_store_create_class_async (self->store, sy_learner_get_uuid (self->teacher), name,
                               self->cancellable, create_class_cb, g_object_ref (self));
}

static void
new_class_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_widget_set_valign (entry, GTK_ALIGN_START);
  open_dialog (self, _("New Class"), _("C_reate"), G_CALLBACK (create_class_clicked_cb),
               labelled (_("Class _name"), entry, entry));
  gtk_window_set_default_size (self->dialog, 400, -1);
  self->dialog_entry = GTK_EDITABLE (entry);
  gtk_widget_grab_focus (entry);
}

/* ---- one class: pupils ---- */

typedef gboolean (*ChangeFinish) (SyStore       *store,
                                  GAsyncResult  *result,
                                  GError       **error);

/* The end of a change to the class in the store: the class page again, or why not. */
static void
class_changed (SyClassroomView *self,
               GObject         *object,
               GAsyncResult    *result,
               ChangeFinish     finish)
{
  g_autoptr(GError) error = NULL;

  end_busy (self);
  if (!finish (SY_STORE (object), result, &error))
    {
      show_error (self, error);
      return;
    }
  load_class (self);
}

static void
set_avatar_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;

  class_changed (self, object, result, sy_store_set_avatar_finish);
}

static void
avatar_clicked_cb (GtkButton *button,
                   SyClassroomView *self)
{
  const char *token = g_object_get_data (G_OBJECT (button), "sy-avatar");
  const char *uuid = g_object_get_data (G_OBJECT (button), "sy-pupil");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);

  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  begin_busy (self);
  sy_store_set_avatar_async (self->store, uuid, token, self->cancellable, set_avatar_cb,
                             g_object_ref (self));
}

static GtkWidget *
avatar_picker (SyClassroomView *self,
               SyLearner       *pupil)
{
  GtkWidget *menu = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *grid = gtk_grid_new ();
  g_autofree char *label = NULL;

  /* Translators: a button's accessible name; %s is a pupil's name */
  label = g_strdup_printf (_("Choose an avatar for %s"), sy_learner_get_name (pupil));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "emoji-people-symbolic");
  gtk_widget_set_tooltip_text (menu, _("Choose Avatar"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu, "flat");

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  for (guint i = 0; i < G_N_ELEMENTS (avatars); i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *image = gtk_image_new_from_icon_name (avatars[i].icon);

      gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
      gtk_button_set_child (GTK_BUTTON (button), image);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "avatar-choice");
      gtk_widget_set_tooltip_text (button, _(avatars[i].label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(avatars[i].label), -1);
      g_object_set_data (G_OBJECT (button), "sy-avatar", (gpointer) avatars[i].token);
      g_object_set_data_full (G_OBJECT (button), "sy-pupil",
                              g_strdup (sy_learner_get_uuid (pupil)), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (avatar_clicked_cb), self, 0);
      gtk_grid_attach (GTK_GRID (grid), button, i % 4, i / 4, 1, 1);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), popover);
  return menu;
}

static GtkWidget *
new_avatar (int         size,
            const char *name,
            const char *token)
{
  GtkWidget *avatar = adw_avatar_new (size, NULL, TRUE);

  sy_avatar_show (ADW_AVATAR (avatar), name, token);
  return avatar;
}

static void
list_pupils_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) pupils = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  pupils = sy_store_list_pupils_finish (SY_STORE (object), result, &error);
  if (pupils == NULL)
    {
      show_error (self, error);
      return;
    }

  g_clear_pointer (&self->pupils, g_ptr_array_unref);
  self->pupils = g_steal_pointer (&pupils);
  clear_list (self->pupils_list);
  if (self->pupils->len == 0)
    gtk_list_box_append (self->pupils_list, placeholder_row (_("No pupils yet. Add them by name.")));

  for (guint i = 0; i < self->pupils->len; i++)
    {
      SyLearner *pupil = g_ptr_array_index (self->pupils, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sy_learner_get_name (pupil));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 new_avatar (32, sy_learner_get_name (pupil),
                                             sy_learner_get_avatar (pupil)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), avatar_picker (self, pupil));
      gtk_list_box_append (self->pupils_list, row);
    }
  update_actions (self);
}

static char **
split_names (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *name = g_strstrip (lines[i]);
      if (*name != '\0')
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static void
add_pupils_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  end_busy (self);
  added = sy_store_add_pupils_finish (SY_STORE (object), result, &error);
  if (added == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dialog_error (self, error->message);
      return;
    }

  close_dialog (self);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Added %u pupil", "Added %u pupils",
                                          added->len), added->len);
  show_toast (self, message);
  load_class (self);
}

static void
add_pupils_clicked_cb (SyClassroomView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->dialog_text);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) names = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  names = split_names (text);
  if (names[0] == NULL)
    {
      dialog_error (self, _("Type at least one name, one name per line."));
      return;
    }

  gtk_widget_set_sensitive (self->dialog_button, FALSE);
  dialog_error (self, NULL);
  begin_busy (self);
  sy_store_add_pupils_async (self->store, self->class_uuid, (const char * const *) names,
                             self->cancellable, add_pupils_cb, g_object_ref (self));
}

static void
add_pupils_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *text = gtk_text_view_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *hint = gtk_label_new (_("Pupils need no PIN: each picks an avatar."));

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (text), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text), 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_widget_set_size_request (scroller, -1, 160);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), labelled (_("_Names, one per line"), scroller, text));
  gtk_box_append (GTK_BOX (box), hint);
  gtk_widget_set_vexpand (gtk_widget_get_first_child (box), TRUE);

  open_dialog (self, _("Add Pupils"), _("_Add Pupils"), G_CALLBACK (add_pupils_clicked_cb), box);
  self->dialog_text = GTK_TEXT_VIEW (text);
  gtk_widget_grab_focus (text);
}

/* ---- one class: assigned work ---- */

static const char *
course_title (SyClassroomView *self,
              const char      *course_id,
              SyText          *title)
{
  return title ? sy_text_get (title, NULL) : course_id;
}

static void
unassign_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;

  class_changed (self, object, result, sy_store_unassign_finish);
}

static void
unassign_clicked_cb (GtkButton       *button,
                     SyClassroomView *self)
{
  SyClassAssignment *a = g_object_get_data (G_OBJECT (button), "sy-assignment");

  begin_busy (self);
  sy_store_unassign_async (self->store, self->class_uuid, a->course_id, a->item_id,
                           self->cancellable, unassign_cb, g_object_ref (self));
}

static void
list_assignments_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) assignments = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  assignments = sy_store_list_assignments_finish (SY_STORE (object), result, &error);
  if (assignments == NULL)
    {
      show_error (self, error);
      return;
    }

  g_clear_pointer (&self->assignments, g_ptr_array_unref);
  self->assignments = g_steal_pointer (&assignments);
  clear_list (self->assign_list);
  if (self->assignments->len == 0)
    gtk_list_box_append (self->assign_list, placeholder_row (_("Nothing assigned yet.")));

  for (guint i = 0; i < self->assignments->len; i++)
    {
      SyClassAssignment *a = g_ptr_array_index (self->assignments, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      const char *ctitle = course_title (self, a->course_id, a->course_title);
      g_autofree char *label = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (a->item_id == NULL)
        {
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ctitle);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("The whole course"));
        }
      else
        {
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                         a->title ? sy_text_get (a->title, NULL) : a->item_id);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), ctitle);
        }
      /* Translators: %s is an assigned course or lesson */
      label = g_strdup_printf (_("Remove “%s”"), adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      g_object_set_data (G_OBJECT (remove), "sy-assignment", a);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (unassign_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (self->assign_list, row);
    }
  update_actions (self);
}

static void
load_class (SyClassroomView *self)
{
  if (self->class_uuid == NULL)
    return;
  begin_busy (self);
  sy_store_list_pupils_async (self->store, self->class_uuid, self->cancellable,
                              list_pupils_cb, g_object_ref (self));
  begin_busy (self);
  sy_store_list_assignments_async (self->store, self->class_uuid, self->cancellable,
                                   list_assignments_cb, g_object_ref (self));
  update_header (self);
}

/* Courses are read in full one after the other, into self->courses; then @done runs. */
typedef void (*CoursesLoaded) (SyClassroomView *self);

typedef struct
{
  SyClassroomView *self;
  GPtrArray       *ids;     /* char * */
  guint            next;
  CoursesLoaded    done;
} LoadCourses;

static void load_next_course (LoadCourses *data);

static void
load_courses_free (LoadCourses *data)
{
  g_object_unref (data->self);
  g_ptr_array_unref (data->ids);
  g_free (data);
}

static void
get_course_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LoadCourses *data = user_data;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (data->self);
  course = sy_store_get_course_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      load_courses_free (data);
      return;
    }
  if (course != NULL)
    {
      char *id = g_strdup (sy_course_get_id (course));
      g_hash_table_replace (data->self->courses, id, g_steal_pointer (&course));
    }
  load_next_course (data);
}

static void
load_next_course (LoadCourses *data)
{
  SyClassroomView *self = data->self;

  while (data->next < data->ids->len &&
         g_hash_table_contains (self->courses, g_ptr_array_index (data->ids, data->next)))
    data->next++;

  if (data->next >= data->ids->len)
    {
      data->done (self);
      load_courses_free (data);
      return;
    }

  begin_busy (self);
  sy_store_get_course_async (self->store, g_ptr_array_index (data->ids, data->next++),
                             sy_learner_get_uuid (self->teacher), self->cancellable,
                             get_course_cb, data);
}

static void
load_courses (SyClassroomView *self,
              GPtrArray       *ids,
              CoursesLoaded    done)
{
  LoadCourses *data = g_new0 (LoadCourses, 1);

  data->self = g_object_ref (self);
  data->ids = g_ptr_array_ref (ids);
  data->done = done;
  load_next_course (data);
}

static void
assign_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  if (!sy_store_assign_finish (SY_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dialog_error (self, error->message);
      return;
    }
  close_dialog (self);
  show_toast (self, _("Assigned"));
  load_class (self);
}

static void
assign_row_activated_cb (SyClassroomView *self,
                         GtkListBoxRow   *row)
{
  const char *course_id = g_object_get_data (G_OBJECT (row), "sy-course");
  const char *item_id = g_object_get_data (G_OBJECT (row), "sy-item");

  if (course_id == NULL)
    return;
  begin_busy (self);
  sy_store_assign_async (self->store, self->class_uuid, course_id, item_id, self->cancellable,
                         assign_cb, g_object_ref (self));
}

static GtkWidget *
item_row (SyCourse   *course,
          SyItem     *item,
          const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 item ? sy_text_get (item->title, NULL)
                                      : sy_text_get (sy_course_get_title (course), NULL));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (item ? sy_format_item_icon (item->type)
                                                                : "accessories-dictionary-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "sy-course", g_strdup (sy_course_get_id (course)), g_free);
  if (item != NULL)
    g_object_set_data_full (G_OBJECT (row), "sy-item", g_strdup (item->id), g_free);
  return row;
}

static int
compare_course_titles (gconstpointer a,
                       gconstpointer b)
{
  SyCourse *ca = *(SyCourse **) a;
  SyCourse *cb = *(SyCourse **) b;

  return g_utf8_collate (sy_text_get (sy_course_get_title (ca), NULL),
                         sy_text_get (sy_course_get_title (cb), NULL));
}

static GPtrArray *
sorted_courses (SyClassroomView *self,
                GPtrArray       *ids)
{
  GPtrArray *courses = g_ptr_array_new ();

  for (guint i = 0; i < ids->len; i++)
    {
      SyCourse *course = g_hash_table_lookup (self->courses, g_ptr_array_index (ids, i));
      if (course != NULL && !g_ptr_array_find (courses, course, NULL))
        g_ptr_array_add (courses, course);
    }
  g_ptr_array_sort (courses, compare_course_titles);
  return courses;
}

static void
fill_assign_dialog (SyClassroomView *self)
{
  g_autoptr(GPtrArray) courses = NULL;

  if (self->dialog_list == NULL || self->assign_ids == NULL)
    return;

  courses = sorted_courses (self, self->assign_ids);
  clear_list (self->dialog_list);
  if (courses->len == 0)
    gtk_list_box_append (self->dialog_list, placeholder_row (_("No courses are installed.")));

  for (guint c = 0; c < courses->len; c++)
    {
      SyCourse *course = g_ptr_array_index (courses, c);
      GPtrArray *modules = sy_course_get_modules (course);
      const char *ctitle = sy_text_get (sy_course_get_title (course), NULL);

      gtk_list_box_append (self->dialog_list, item_row (course, NULL, _("The whole course")));
      for (guint m = 0; modules && m < modules->len; m++)
        {
          SyModule *module = g_ptr_array_index (modules, m);
          for (guint i = 0; i < module->items->len; i++)
            gtk_list_box_append (self->dialog_list,
                                 item_row (course, g_ptr_array_index (module->items, i), ctitle));
        }
    }
}

static void
list_courses_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) courses = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  courses = sy_store_list_courses_finish (SY_STORE (object), result, &error);
  if (courses == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dialog_error (self, error->message);
      return;
    }

  g_clear_pointer (&self->assign_ids, g_ptr_array_unref);
  self->assign_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < courses->len; i++)
    g_ptr_array_add (self->assign_ids, g_strdup (sy_course_get_id (g_ptr_array_index (courses, i))));
  load_courses (self, self->assign_ids, fill_assign_dialog);
}

static GtkWidget *
dialog_list_content (SyClassroomView *self,
                     GCallback        activated_cb)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list = new_boxed_list ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), placeholder_row (_("Loading…")));
  g_signal_connect_object (list, "row-activated", activated_cb, self, G_CONNECT_SWAPPED);
  self->dialog_list = GTK_LIST_BOX (list);
  return scroller;
}

static void
assign_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  GtkWidget *content;

  close_dialog (self);
  content = dialog_list_content (self, G_CALLBACK (assign_row_activated_cb));
  open_dialog (self, _("Assign Work"), NULL, NULL, content);

  begin_busy (self);
  sy_store_list_courses_async (self->store, sy_learner_get_uuid (self->teacher),
                               self->cancellable, list_courses_cb, g_object_ref (self));
}

/* ---- a session: attendance ---- */

static guint
count_present (SyClassroomView *self)
{
  guint n = 0;

  for (guint i = 0; self->attendance && i < self->attendance->len; i++)
    n += ((SyAttendance *) g_ptr_array_index (self->attendance, i))->present;
  return n;
}

static void
show_attendance_state (SyClassroomView *self,
                       guint            index)
{
  SyAttendance *a = g_ptr_array_index (self->attendance, index);
  GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->attendance_box, index);
  GtkWidget *state = g_object_get_data (G_OBJECT (child), "sy-state");
  g_autofree char *label = NULL;
  g_autofree char *count = NULL;
  guint n = count_present (self);

  if (a->present)
    gtk_widget_add_css_class (GTK_WIDGET (child), "present");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (child), "present");
  gtk_label_set_label (GTK_LABEL (state), a->present ? _("Present") : _("Absent"));

  /* Translators: a pupil on the attendance grid: name, then "Present" or "Absent" */
  label = g_strdup_printf (_("%s: %s"), a->name, a->present ? _("Present") : _("Absent"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  /* Translators: the attendance of a class session, e.g. "18 of 30 present" */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u present", "%u of %u present",
                                        self->attendance->len), n, self->attendance->len);
  gtk_label_set_label (self->attendance_count, count);
}

typedef struct
{
  SyClassroomView *self;
  guint            index;
  gboolean         present;
} AttendanceChange;

static void
set_attendance_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AttendanceChange *change = user_data;
  SyClassroomView *self = change->self;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  if (!sy_store_set_attendance_finish (SY_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Show what is recorded, not what was tapped. */
      if (self->attendance != NULL && change->index < self->attendance->len)
        {
          SyAttendance *a = g_ptr_array_index (self->attendance, change->index);
          a->present = !change->present;
          show_attendance_state (self, change->index);
        }
      show_toast (self, error->message);
    }
  g_object_unref (self);
  g_free (change);
}

static void
attendance_activated_cb (SyClassroomView *self,
                         GtkFlowBoxChild *child)
{
  guint index = gtk_flow_box_child_get_index (child);
  AttendanceChange *change;
  SyAttendance *a;

  if (self->attendance == NULL || index >= self->attendance->len)
    return;

  /* The tap shows at once and is recorded at once. */
  a = g_ptr_array_index (self->attendance, index);
  a->present = !a->present;
  show_attendance_state (self, index);

  change = g_new0 (AttendanceChange, 1);
  change->self = g_object_ref (self);
  change->index = index;
  change->present = a->present;
  begin_busy (self);
  sy_store_set_attendance_async (self->store, self->session->uuid, a->learner_uuid, a->present,
                                 self->cancellable, set_attendance_cb, change);
}

static void
list_attendance_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) attendance = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  end_busy (self);
  attendance = sy_store_list_attendance_finish (SY_STORE (object), result, &error);
  if (attendance == NULL)
    {
      show_error (self, error);
      return;
    }

  g_clear_pointer (&self->attendance, g_ptr_array_unref);
  self->attendance = g_steal_pointer (&attendance);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attendance_box))) != NULL)
    gtk_flow_box_remove (self->attendance_box, child);

  for (guint i = 0; i < self->attendance->len; i++)
    {
      SyAttendance *a = g_ptr_array_index (self->attendance, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *name = gtk_label_new (a->name);
      GtkWidget *state = gtk_label_new (NULL);

      gtk_box_append (GTK_BOX (box), new_avatar (48, a->name, a->avatar));
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (name, "heading");
      gtk_box_append (GTK_BOX (box), name);
      gtk_widget_add_css_class (state, "caption");
      gtk_box_append (GTK_BOX (box), state);
      gtk_flow_box_append (self->attendance_box, box);
      child = gtk_widget_get_parent (box);
      gtk_widget_add_css_class (child, "attendance-tile");
      g_object_set_data (G_OBJECT (child), "sy-state", state);
      show_attendance_state (self, i);
    }
  if (self->attendance->len == 0)
    gtk_label_set_label (self->attendance_count, _("This class has no pupils yet."));
  else
    {
      GtkFlowBoxChild *first = gtk_flow_box_get_child_at_index (self->attendance_box, 0);
      gtk_widget_grab_focus (GTK_WIDGET (first));
    }
  update_actions (self);
}

static void
start_session_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GError) error = NULL;
  SyClassSession *session;

  end_busy (self);
  session = sy_store_start_session_finish (SY_STORE (object), result, &error);
  if (session == NULL)
    {
      show_error (self, error);
      return;
    }

  g_clear_pointer (&self->session, sy_class_session_free);
  self->session = session;
  g_clear_pointer (&self->attendance, g_ptr_array_unref);
  gtk_label_set_label (self->attendance_count, NULL);
  show_page (self, "attendance");

  begin_busy (self);
  sy_store_list_attendance_async (self->store, session->uuid, self->cancellable,
                                  list_attendance_cb, g_object_ref (self));
}

static void
start_session_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  begin_busy (self);
  sy_store_start_session_async (self->store, self->class_uuid, NULL, self->cancellable,
                                start_session_cb, g_object_ref (self));
}

/* ---- a class quiz ---- */

static char *
answer_key (const char *pupil,
            SyQuestion *question)
{
  return g_strconcat (pupil, "\n", question->id, NULL);
}

static SyAttendance *
quiz_pupil_at (SyClassroomView *self,
               guint            index)
{
  return index < self->attendance->len ? g_ptr_array_index (self->attendance, index) : NULL;
}

static SyQuestion *
current_question (SyClassroomView *self)
{
  return sy_quiz_get_question (self->quiz, self->quiz_question);
}

/* How the teacher enters a pupil's answer: one number key, number keys then Enter, or
 * typing into the answer entry then Enter. */
typedef enum
{
  ANSWER_PICK,
  ANSWER_TOGGLE,
  ANSWER_TYPE,
} AnswerKind;

static AnswerKind
answer_kind (SyQuestion *question)
{
  switch (question->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_LIKERT:
      return ANSWER_PICK;
    case SY_QUESTION_CHOICE:
      return question->multiple_choice ? ANSWER_TOGGLE : ANSWER_PICK;
    case SY_QUESTION_MULTIPLE:
      return ANSWER_TOGGLE;
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_SHORT_TEXT:
    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      return ANSWER_TYPE;
    }
}

/* the options a number key reaches (the present view numbers them in the course's order) */
static guint
n_key_options (SyQuestion *question)
{
  if (question->type == SY_QUESTION_TRUE_FALSE)
    return 2;
  return question->options ? MIN (question->options->len, 9) : 0;
}

static char *
toggled_shown (SyClassroomView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < 9; i++)
    if (self->toggled & (1u << i))
      g_string_append_printf (s, s->len ? "+%u" : "%u", i + 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
show_answers (SyClassroomView *self)
{
  SyQuestion *question = current_question (self);

  for (guint i = 0; i < self->attendance->len; i++)
    {
      SyAttendance *a = g_ptr_array_index (self->attendance, i);
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->answer_box, i);
      GtkWidget *state = g_object_get_data (G_OBJECT (child), "sy-state");
      g_autofree char *key = answer_key (a->learner_uuid, question);
      const char *shown = g_hash_table_lookup (self->answers, key);
      g_autofree char *label = NULL;

      g_autofree char *pending = NULL;

      /* options chosen so far, not recorded until Enter */
      if (i == self->quiz_pupil && self->toggled != 0)
        {
          g_autofree char *chosen = toggled_shown (self);

          shown = pending = g_strconcat (chosen, "…", NULL);
        }
      if (shown == NULL)
        shown = a->present ? "–" : _("Absent");
      gtk_label_set_label (GTK_LABEL (state), shown);
      if (i == self->quiz_pupil)
        gtk_widget_add_css_class (GTK_WIDGET (child), "current");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (child), "current");
      label = g_strdup_printf (_("%s: %s"), a->name, shown);
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

static guint
first_present_pupil (SyClassroomView *self,
                     guint            from)
{
  for (guint i = from; i < self->attendance->len; i++)
    if (((SyAttendance *) g_ptr_array_index (self->attendance, i))->present)
      return i;
  return from < self->attendance->len ? from : 0;
}

static void
show_quiz_question (SyClassroomView *self)
{
  guint n = sy_quiz_get_n_questions (self->quiz);
  SyQuestion *question = current_question (self);

  AnswerKind kind = answer_kind (question);
  g_autoptr(GString) hint = g_string_new (NULL);

  adw_bin_set_child (self->question_bin, sy_present_question_new (question, self->quiz_question, n));
  self->toggled = 0;
  g_clear_pointer (&self->quiz_order, g_array_unref);

  switch (question->type)
    {
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_CHOICE:
      if (kind == ANSWER_TOGGLE)
        {
          g_string_append (hint, _("Type the number of each option the pupil chose, then Enter; "
                                   "A for absent. Left and Right choose the pupil; Page Down goes "
                                   "to the next question."));
          break;
        }
      G_GNUC_FALLTHROUGH;
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_LIKERT:
      g_string_append (hint, _("Type each pupil’s option number (1–9), or A for absent; "
                               "Left and Right choose the pupil; Page Down goes to the next question."));
      break;

    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
      /* The present view leaves these items out (in the course's order they give the
       * answer away): they are numbered here, in an order fixed for the class. */
      self->quiz_order = sy_question_shuffle (question, 0);
      if (question->type == SY_QUESTION_ORDERING)
        g_string_append (hint, _("Type the item numbers in the pupil’s order (such as 312), then "
                                 "Enter; Alt+A marks absent. Up and Down choose the pupil."));
      else
        {
          g_string_append (hint, _("For each left side in turn, type the number of the match the "
                                   "pupil chose (such as 312), then Enter; Alt+A marks absent. Up "
                                   "and Down choose the pupil."));
          g_string_append_c (hint, '\n');
          for (guint i = 0; i < question->options->len; i++)
            {
              SyOption *option = g_ptr_array_index (question->options, i);

              if (i > 0)
                g_string_append (hint, " · ");
              g_string_append (hint, sy_text_get (option->text, NULL));
            }
        }
      g_string_append_c (hint, '\n');
      for (guint i = 0; i < self->quiz_order->len; i++)
        {
          SyOption *option = g_ptr_array_index (question->options, g_array_index (self->quiz_order, guint, i));
          SyText *text = question->type == SY_QUESTION_MATCHING ? option->right : option->text;

          g_string_append_printf (hint, i > 0 ? " · %u %s" : "%u %s", i + 1, sy_text_get (text, NULL));
        }
      break;

    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_SHORT_TEXT:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      g_string_append (hint, _("Type each pupil’s answer, then Enter; Alt+A marks absent. Up and "
                               "Down choose the pupil; Page Down goes to the next question."));
      break;
    }
  gtk_label_set_label (self->quiz_hint, hint->str);

  gtk_editable_set_text (self->answer_entry, "");
  gtk_widget_set_visible (self->answer_row, kind == ANSWER_TYPE);
  self->quiz_pupil = first_present_pupil (self, 0);
  show_answers (self);
  update_actions (self);
  if (kind == ANSWER_TYPE)
    gtk_widget_grab_focus (GTK_WIDGET (self->answer_entry));
}

typedef struct
{
  SyClassroomView *self;
  char            *key;
} AnswerRecord;

static void
record_answer_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AnswerRecord *record = user_data;
  SyClassroomView *self = record->self;
  g_autoptr(GError) error = NULL;
  SyClassAnswer answer;

  end_busy (self);
  /* (after sy_classroom_view_close(), nothing is pending any more) */
  if (self->n_pending > 0)
    self->n_pending--;
  answer = sy_store_record_class_answer_finish (SY_STORE (object), result, &error);
  if (answer == SY_CLASS_ANSWER_FAILED && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_hash_table_remove (self->answers, record->key);
      if (self->quiz != NULL && page_is (self, "quiz"))
        show_answers (self);
      show_toast (self, error->message);
    }
  update_actions (self);
  g_object_unref (self);
  g_free (record->key);
  g_free (record);
}

/* Records @response (NULL: absent) for the pupil under the cursor and moves on. */
static void
record_answer (SyClassroomView *self,
               const char      *response,
               const char      *shown)
{
  SyQuestion *question = current_question (self);
  SyAttendance *a = quiz_pupil_at (self, self->quiz_pupil);
  AnswerRecord *record;

  if (a == NULL)
    return;

  record = g_new0 (AnswerRecord, 1);
  record->self = g_object_ref (self);
  record->key = answer_key (a->learner_uuid, question);
  g_hash_table_replace (self->answers, g_strdup (record->key), g_strdup (shown));

  self->n_pending++;
  begin_busy (self);
  sy_store_record_class_answer_async (self->store, self->session->uuid, a->learner_uuid,
                                      sy_course_get_id (self->quiz_course), self->quiz_item->id,
                                      question->id, response, self->cancellable,
                                      record_answer_cb, record);

  if (self->quiz_pupil + 1 < self->attendance->len)
    self->quiz_pupil = first_present_pupil (self, self->quiz_pupil + 1);
  self->toggled = 0;
  gtk_editable_set_text (self->answer_entry, "");
  show_answers (self);
}

/* "312": the numbers of the items (ordering) or of each left side's match (matching), as
 * the hint line numbers them; NULL unless every item is numbered, each once */
static char *
digits_response (SyClassroomView *self,
                 SyQuestion      *question,
                 const char      *text)
{
  guint n = self->quiz_order ? self->quiz_order->len : 0;
  g_autoptr(GString) s = g_string_new (NULL);
  guint32 seen = 0;
  guint k = 0;

  if (n == 0 || n > 9)
    return NULL;
  for (const char *c = text; *c; c++)
    {
      guint d;
      SyOption *option;

      if (g_ascii_isspace (*c))
        continue;
      if (!g_ascii_isdigit (*c) || (d = *c - '0') < 1 || d > n || (seen & (1u << d)) || k >= n)
        return NULL;
      seen |= 1u << d;
      option = g_ptr_array_index (question->options, g_array_index (self->quiz_order, guint, d - 1));
      if (k > 0)
        g_string_append (s, "[,]");
      if (question->type == SY_QUESTION_MATCHING)
        g_string_append_printf (s, "%s[.]%s",
                                ((SyOption *) g_ptr_array_index (question->options, k))->id, option->id);
      else
        g_string_append (s, option->id);
      k++;
    }
  if (k != n)
    return NULL;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The typed answer as the pupil's own quiz would record it (see SyQuestionInput). */
static char *
typed_response (SyClassroomView *self,
                SyQuestion      *question,
                const char      *text)
{
  g_autofree char *response = NULL;
  gboolean correct;

  switch (question->type)
    {
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_NUMBER:
      response = sy_question_normalize_number (text);
      break;
    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
      response = digits_response (self, question, text);
      break;
    default:
      response = g_strstrip (g_strdup (text));
      break;
    }
  /* grading also checks the form: a number, within a survey's range */
  if (response == NULL || response[0] == '\0' ||
      !sy_question_grade (question, response, &correct, NULL))
    return NULL;
  return g_steal_pointer (&response);
}

static void
answer_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  SyQuestion *question;
  g_autofree char *response = NULL;
  g_autofree char *shown = NULL;
  int choice = g_variant_get_int32 (param);

  if (self->quiz == NULL)
    return;
  question = current_question (self);
  if (answer_kind (question) == ANSWER_TYPE || choice < 1 || (guint) choice > n_key_options (question))
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (answer_kind (question) == ANSWER_TOGGLE)
    {
      self->toggled ^= 1u << (choice - 1);
      show_answers (self);
      return;
    }
  if (question->type == SY_QUESTION_TRUE_FALSE)
    response = g_strdup (choice == 1 ? "true" : "false");
  else
    response = g_strdup (((SyOption *) g_ptr_array_index (question->options, choice - 1))->id);
  shown = g_strdup_printf ("%d", choice);
  record_answer (self, response, shown);
}

/* Enter: records the options chosen or the answer typed, and moves to the next pupil. */
static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  SyQuestion *question;
  g_autofree char *response = NULL;
  g_autofree char *shown = NULL;

  if (self->quiz == NULL)
    return;
  question = current_question (self);
  if (answer_kind (question) == ANSWER_TOGGLE)
    {
      g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      /* in the question's own order, as the pupil's quiz records it */
      for (guint i = 0; i < n_key_options (question); i++)
        if (self->toggled & (1u << i))
          g_strv_builder_add (ids, ((SyOption *) g_ptr_array_index (question->options, i))->id);
      strv = g_strv_builder_end (ids);
      if (strv[0] != NULL)
        {
          response = g_strjoinv ("[,]", strv);
          shown = toggled_shown (self);
        }
    }
  else if (answer_kind (question) == ANSWER_TYPE)
    {
      const char *text = gtk_editable_get_text (self->answer_entry);

      response = typed_response (self, question, text);
      if (response != NULL)
        {
          g_autofree char *stripped = g_strstrip (g_strdup (text));

          /* a long answer would stretch the tile */
          if (g_utf8_strlen (stripped, -1) > 12)
            {
              g_autofree char *start = g_utf8_substring (stripped, 0, 11);

              shown = g_strconcat (start, "…", NULL);
            }
          else
            shown = g_steal_pointer (&stripped);
        }
    }

  if (response == NULL)
    {
      gtk_widget_error_bell (widget);
      if (answer_kind (question) == ANSWER_TYPE)
        show_toast (self, question->type == SY_QUESTION_ORDERING || question->type == SY_QUESTION_MATCHING
                          ? _("Type each number in the hint once, in the pupil’s order.")
                          : question->type == SY_QUESTION_NUMERIC || question->type == SY_QUESTION_NUMBER
                          ? _("Type a number the question accepts.")
                          : _("Type the pupil’s answer first."));
      return;
    }
  record_answer (self, response, shown);
}

static void
answer_entry_activate_cb (SyClassroomView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "classroom.record", NULL);
}

static void
absent_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  if (self->quiz != NULL)
    record_answer (self, NULL, _("Absent"));
}

static void
move_pupil_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  if (self->quiz == NULL || self->attendance->len == 0)
    return;
  if (g_str_equal (action_name, "classroom.next-pupil"))
    self->quiz_pupil = MIN (self->quiz_pupil + 1, self->attendance->len - 1);
  else if (self->quiz_pupil > 0)
    self->quiz_pupil--;
  self->toggled = 0;
  show_answers (self);
}

static void
answer_tile_activated_cb (SyClassroomView *self,
                          GtkFlowBoxChild *child)
{
  guint index = gtk_flow_box_child_get_index (child);

  /* Enter on the chosen pupil's own tile records the options chosen */
  if (self->quiz != NULL && index == self->quiz_pupil && self->toggled != 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "classroom.record", NULL);
      return;
    }
  self->quiz_pupil = index;
  self->toggled = 0;
  show_answers (self);
  if (self->quiz != NULL && answer_kind (current_question (self)) == ANSWER_TYPE)
    gtk_widget_grab_focus (GTK_WIDGET (self->answer_entry));
}

static void
move_question_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  guint n;

  if (self->quiz == NULL)
    return;
  n = sy_quiz_get_n_questions (self->quiz);
  if (g_str_equal (action_name, "classroom.next-question") && self->quiz_question + 1 < n)
    self->quiz_question++;
  else if (g_str_equal (action_name, "classroom.previous-question") && self->quiz_question > 0)
    self->quiz_question--;
  else
    return;
  show_quiz_question (self);
}

static void
start_class_quiz (SyClassroomView *self,
                  SyCourse        *course,
                  SyItem          *item)
{
  const char *file = item->file ? sy_text_get (item->file, NULL) : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  SyQuiz *quiz;
  GtkWidget *child;

  if (file == NULL)
    {
      dialog_error (self, _("The course names no file for this item. Ask for a corrected copy of the course."));
      return;
    }
  path = g_build_filename (sy_course_get_content_dir (course), file, NULL);
  quiz = sy_quiz_load (path, item->type == SY_ITEM_SURVEY, &error);
  if (quiz == NULL || sy_quiz_get_n_questions (quiz) == 0)
    {
      dialog_error (self, error ? error->message : _("This quiz has no questions."));
      g_clear_pointer (&quiz, sy_quiz_unref);
      return;
    }

  close_dialog (self);
  g_clear_pointer (&self->quiz, sy_quiz_unref);
  g_set_object (&self->quiz_course, course);
  self->quiz_item = item;
  self->quiz = quiz;
  self->quiz_question = 0;
  g_hash_table_remove_all (self->answers);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->answer_box))) != NULL)
    gtk_flow_box_remove (self->answer_box, child);
  for (guint i = 0; i < self->attendance->len; i++)
    {
      SyAttendance *a = g_ptr_array_index (self->attendance, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *name = gtk_label_new (a->name);
      GtkWidget *state = gtk_label_new (NULL);

      gtk_box_append (GTK_BOX (box), new_avatar (24, a->name, a->avatar));
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_set_hexpand (name, TRUE);
      gtk_box_append (GTK_BOX (box), name);
      gtk_widget_add_css_class (state, "heading");
      gtk_box_append (GTK_BOX (box), state);
      gtk_flow_box_append (self->answer_box, box);
      child = gtk_widget_get_parent (box);
      gtk_widget_add_css_class (child, "answer-tile");
      g_object_set_data (G_OBJECT (child), "sy-state", state);
    }

  show_page (self, "quiz");
  show_quiz_question (self);
}

static void
quiz_row_activated_cb (SyClassroomView *self,
                       GtkListBoxRow   *row)
{
  const char *course_id = g_object_get_data (G_OBJECT (row), "sy-course");
  const char *item_id = g_object_get_data (G_OBJECT (row), "sy-item");
  SyCourse *course;
  SyItem *item;

  if (course_id == NULL || item_id == NULL ||
      (course = g_hash_table_lookup (self->courses, course_id)) == NULL ||
      (item = sy_course_find_item (course, item_id)) == NULL)
    return;
  start_class_quiz (self, course, item);
}

static gboolean
is_assigned (SyClassroomView *self,
             const char      *course_id,
             const char      *item_id)
{
  for (guint i = 0; self->assignments && i < self->assignments->len; i++)
    {
      SyClassAssignment *a = g_ptr_array_index (self->assignments, i);
      if (g_str_equal (a->course_id, course_id) &&
          (a->item_id == NULL || g_strcmp0 (a->item_id, item_id) == 0))
        return TRUE;
    }
  return FALSE;
}

static GPtrArray *
assigned_course_ids (SyClassroomView *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; self->assignments && i < self->assignments->len; i++)
    {
      SyClassAssignment *a = g_ptr_array_index (self->assignments, i);
      if (!g_ptr_array_find_with_equal_func (ids, a->course_id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (a->course_id));
    }
  return ids;
}

static void
fill_quiz_dialog (SyClassroomView *self)
{
  g_autoptr(GPtrArray) ids = assigned_course_ids (self);
  g_autoptr(GPtrArray) courses = NULL;
  guint n = 0;

  if (self->dialog_list == NULL)
    return;
  courses = sorted_courses (self, ids);
  clear_list (self->dialog_list);
  for (guint c = 0; c < courses->len; c++)
    {
      SyCourse *course = g_ptr_array_index (courses, c);
      GPtrArray *modules = sy_course_get_modules (course);

      for (guint m = 0; modules && m < modules->len; m++)
        {
          SyModule *module = g_ptr_array_index (modules, m);
          for (guint i = 0; i < module->items->len; i++)
            {
              SyItem *item = g_ptr_array_index (module->items, i);
              if (item->type != SY_ITEM_QUIZ || !is_assigned (self, sy_course_get_id (course), item->id))
                continue;
              gtk_list_box_append (self->dialog_list,
                                   item_row (course, item, sy_text_get (sy_course_get_title (course), NULL)));
              n++;
            }
        }
    }
  if (n == 0)
    gtk_list_box_append (self->dialog_list,
                         placeholder_row (_("No quiz is assigned to this class. Assign a course or a quiz first.")));
}

static void
class_quiz_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  g_autoptr(GPtrArray) ids = assigned_course_ids (self);
  GtkWidget *content;

  close_dialog (self);
  content = dialog_list_content (self, G_CALLBACK (quiz_row_activated_cb));
  open_dialog (self, _("Choose a Quiz"), NULL, NULL, content);
  load_courses (self, ids, fill_quiz_dialog);
}

static void
finish_quiz_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  results = sy_store_finish_class_quiz_finish (SY_STORE (object), result, &error);
  if (results == NULL)
    {
      show_error (self, error);
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = g_steal_pointer (&results);
  clear_list (self->results_list);
  if (self->results->len == 0)
    gtk_list_box_append (self->results_list, placeholder_row (_("Nobody answered.")));
  for (guint i = 0; i < self->results->len; i++)
    {
      SyClassQuizResult *r = g_ptr_array_index (self->results, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *badge;
      g_autofree char *subtitle = NULL;

      /* Translators: a pupil's class quiz result */
      subtitle = g_strdup_printf (_("%u of %u right"), r->n_right, r->n_questions);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), r->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      badge = gtk_label_new (r->passed ? _("Passed") : _("Not passed"));
      gtk_widget_add_css_class (badge, r->passed ? "success" : "warning");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
      gtk_list_box_append (self->results_list, row);
    }
  show_page (self, "results");
}

static void
finish_quiz_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  if (self->quiz == NULL || self->n_pending > 0)
    return;
  begin_busy (self);
  gtk_widget_action_set_enabled (widget, "classroom.finish-quiz", FALSE);
  sy_store_finish_class_quiz_async (self->store, self->session->uuid,
                                    sy_course_get_id (self->quiz_course), self->quiz_item->id,
                                    self->cancellable, finish_quiz_cb, g_object_ref (self));
}

/* ---- the coach report ---- */

static const char *
status_text (const SyCoachCell *cell,
             char               buf[32])
{
  switch (cell->status)
    {
    case SY_STATUS_PASSED:
    case SY_STATUS_COMPLETED:
      if (cell->best_score >= 0)
        {
          g_snprintf (buf, 32, "✓ %d%%", (int) (cell->best_score * 100 + 0.5));
          return buf;
        }
      return "✓";
    case SY_STATUS_IN_PROGRESS:
      if (cell->best_score >= 0)
        {
          g_snprintf (buf, 32, "%d%%", (int) (cell->best_score * 100 + 0.5));
          return buf;
        }
      return "…";
    case SY_STATUS_NOT_STARTED:
    default:
      return "–";
    }
}

/* Column headings (item titles) wrap, at least six characters wide so a Chinese title
 * is not one character a line; names and cells keep to one line. */
static GtkWidget *
grid_label (const char *text,
            const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  if (g_strcmp0 (css, "heading") == 0)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), 6);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
      gtk_widget_set_valign (label, GTK_ALIGN_END);
    }
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
build_report (SyClassroomView *self)
{
  SyCoachReport *report = self->report;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *grid_scroller = gtk_scrolled_window_new ();
  GtkWidget *missed = new_boxed_list ();
  GtkWidget *not_started = new_boxed_list ();
  GtkWidget *legend;
  GtkWidget *page;

  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_widget_add_css_class (grid, "coach-grid");
  gtk_grid_attach (GTK_GRID (grid), grid_label (_("Pupil"), "heading"), 0, 0, 1, 1);
  for (guint j = 0; j < report->items->len; j++)
    {
      SyCoachItem *item = g_ptr_array_index (report->items, j);
      gtk_grid_attach (GTK_GRID (grid), grid_label (sy_text_get (item->title, NULL), "heading"),
                       j + 1, 0, 1, 1);
    }
  for (guint i = 0; i < report->pupils->len; i++)
    {
      SyCoachPupil *pupil = g_ptr_array_index (report->pupils, i);
      gtk_grid_attach (GTK_GRID (grid), grid_label (pupil->name, NULL), 0, i + 1, 1, 1);
      for (guint j = 0; j < report->items->len; j++)
        {
          const SyCoachCell *cell = sy_coach_report_get_cell (report, i, j);
          char buf[32];
          const char *css = cell->status == SY_STATUS_PASSED || cell->status == SY_STATUS_COMPLETED
                            ? "success" : cell->status == SY_STATUS_NOT_STARTED ? "dim-label" : "warning";
          gtk_grid_attach (GTK_GRID (grid), grid_label (status_text (cell, buf), css), j + 1, i + 1, 1, 1);
        }
    }
  if (report->items->len == 0)
    gtk_grid_attach (GTK_GRID (grid), grid_label (_("Nothing assigned yet."), "dim-label"), 1, 0, 1, 1);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (grid_scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (grid_scroller), grid);
  gtk_widget_add_css_class (grid_scroller, "card");
  gtk_widget_set_margin_top (grid, 12);
  gtk_widget_set_margin_bottom (grid, 12);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  gtk_box_append (GTK_BOX (box), new_section (_("Pupils and Assigned Work"), NULL, grid_scroller));
  legend = gtk_label_new (_("✓ done, with the best score · … started · – not started"));
  gtk_label_set_xalign (GTK_LABEL (legend), 0);
  gtk_label_set_wrap (GTK_LABEL (legend), TRUE);
  gtk_widget_add_css_class (legend, "dim-label");
  gtk_widget_add_css_class (legend, "caption");
  gtk_box_append (GTK_BOX (box), legend);

  for (guint i = 0; i < MIN (report->missed->len, 10); i++)
    {
      SyMissedQuestion *q = g_ptr_array_index (report->missed, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      /* Translators: a question the class often misses: its quiz, then how many got it wrong */
      subtitle = g_strdup_printf (_("%s · %u of %u answers wrong"),
                                  sy_text_get (q->quiz_title, NULL), q->n_wrong, q->n_answered);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     q->prompt ? sy_text_get (q->prompt, NULL) : q->question_id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (GTK_LIST_BOX (missed), row);
    }
  if (report->missed->len == 0)
    gtk_list_box_append (GTK_LIST_BOX (missed), placeholder_row (_("No question has been missed yet.")));
  gtk_box_append (GTK_BOX (box), new_section (_("Questions Most Often Missed"), NULL, missed));

  for (guint i = 0; i < report->not_started->len; i++)
    {
      SyCoachPupil *pupil = g_ptr_array_index (report->not_started, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pupil->name);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), new_avatar (24, pupil->name, pupil->avatar));
      gtk_list_box_append (GTK_LIST_BOX (not_started), row);
    }
  if (report->not_started->len == 0)
    gtk_list_box_append (GTK_LIST_BOX (not_started), placeholder_row (_("Everyone has started.")));
  gtk_box_append (GTK_BOX (box), new_section (_("Not Started"), NULL, not_started));

  page = new_page (box);
  adw_clamp_set_maximum_size (ADW_CLAMP (gtk_widget_get_parent (box)), 1200);
  adw_bin_set_child (self->report_bin, page);
}

static void
coach_report_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GError) error = NULL;
  SyCoachReport *report;

  end_busy (self);
  report = sy_store_coach_report_finish (SY_STORE (object), result, &error);
  if (report == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_pointer (&self->report, sy_coach_report_free);
  self->report = report;
  build_report (self);
  update_actions (self);
}

static void
coach_report_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  g_clear_pointer (&self->report, sy_coach_report_free);
  adw_bin_set_child (self->report_bin, gtk_spinner_new ());
  gtk_spinner_start (GTK_SPINNER (adw_bin_get_child (self->report_bin)));
  show_page (self, "report");
  begin_busy (self);
  sy_store_coach_report_async (self->store, self->class_uuid, self->cancellable,
                               coach_report_cb, g_object_ref (self));
}

static void
write_report_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyClassroomView) self = user_data;
  g_autoptr(GError) error = NULL;

  end_busy (self);
  if (!sy_store_write_coach_report_finish (SY_STORE (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says what went wrong */
      message = g_strdup_printf (_("The report could not be saved: %s"), error->message);
      show_toast (self, message);
    }
  else
    show_toast (self, _("Report saved"));
  update_actions (self);
}

static void
save_report_to (SyClassroomView *self,
                const char      *path)
{
  begin_busy (self);
  sy_store_write_coach_report_async (self->store, self->class_uuid, path, self->cancellable,
                                     write_report_cb, g_object_ref (self));
}

static void
report_chooser_response_cb (GtkNativeDialog *native,
                            int              response,
                            SyClassroomView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        save_report_to (self, path);
    }
  gtk_native_dialog_destroy (native);
  g_clear_object (&self->file_chooser);
}

static void
save_pdf_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->file_chooser != NULL)
    return;
  self->file_chooser = gtk_file_chooser_native_new (_("Save Coach Report"),
                                                    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                    GTK_FILE_CHOOSER_ACTION_SAVE,
                                                    _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->file_chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->file_chooser), filter);
  /* Translators: the suggested file name of a coach report; %s is the class's name */
  name = g_strdup_printf (_("%s report.pdf"), self->class_name);
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->file_chooser), name);
  g_signal_connect_object (self->file_chooser, "response",
                           G_CALLBACK (report_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
}

/* ---- class mode ---- */

static void
class_mode_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (widget);

  /* The window signs the teacher out and shows this class's pupils only. */
  gtk_widget_activate_action (widget, "win.start-class-mode", "(ss)", self->class_uuid, self->class_name);
}

/* ---- navigation ---- */

static void
update_actions (SyClassroomView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean quiz = page_is (self, "quiz") && self->quiz != NULL;
  gboolean in_class = self->class_uuid != NULL;

  gtk_widget_action_set_enabled (widget, "classroom.new-class", self->teacher != NULL);
  gtk_widget_action_set_enabled (widget, "classroom.add-pupils", in_class && page_is (self, "class"));
  gtk_widget_action_set_enabled (widget, "classroom.assign", in_class && page_is (self, "class"));
  gtk_widget_action_set_enabled (widget, "classroom.start-session",
                                 in_class && page_is (self, "class") && self->pupils && self->pupils->len > 0);
  gtk_widget_action_set_enabled (widget, "classroom.coach-report", in_class && page_is (self, "class"));
  gtk_widget_action_set_enabled (widget, "classroom.class-mode",
                                 in_class && page_is (self, "class") && self->pupils && self->pupils->len > 0 &&
                                 self->assignments && self->assignments->len > 0);
  gtk_widget_action_set_enabled (widget, "classroom.class-quiz",
                                 page_is (self, "attendance") && self->attendance != NULL &&
                                 self->attendance->len > 0);
  gtk_widget_action_set_enabled (widget, "classroom.answer", quiz);
  gtk_widget_action_set_enabled (widget, "classroom.record",
                                 quiz && answer_kind (current_question (self)) != ANSWER_PICK);
  gtk_widget_action_set_enabled (widget, "classroom.absent", quiz);
  gtk_widget_action_set_enabled (widget, "classroom.next-pupil", quiz);
  gtk_widget_action_set_enabled (widget, "classroom.previous-pupil", quiz);
  gtk_widget_action_set_enabled (widget, "classroom.next-question",
                                 quiz && self->quiz_question + 1 < sy_quiz_get_n_questions (self->quiz));
  gtk_widget_action_set_enabled (widget, "classroom.previous-question", quiz && self->quiz_question > 0);
  gtk_widget_action_set_enabled (widget, "classroom.finish-quiz", quiz && self->n_pending == 0);
  gtk_widget_action_set_enabled (widget, "classroom.save-pdf",
                                 page_is (self, "report") && self->report != NULL && self->file_chooser == NULL);
}

/**
 * sy_classroom_view_go_back:
 *
 * Goes up one page inside the classroom.
 *
 * Returns: %FALSE if the view was already on its first page (the window goes back then)
 */
gboolean
sy_classroom_view_go_back (SyClassroomView *self)
{
  static const struct { const char *page, *parent; } up[] = {
    { "class", "classes" },
    { "attendance", "class" },
    { "report", "class" },
    { "quiz", "attendance" },
    { "results", "attendance" },
  };

  g_return_val_if_fail (SY_IS_CLASSROOM_VIEW (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (up); i++)
    if (page_is (self, up[i].page))
      {
        if (g_str_equal (up[i].parent, "classes"))
          reload_classes (self);
        else if (g_str_equal (up[i].parent, "class"))
          load_class (self);
        show_page (self, up[i].parent);
        return TRUE;
      }
  return FALSE;
}

static void
back_clicked_cb (SyClassroomView *self)
{
  if (!sy_classroom_view_go_back (self))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.go-back", NULL);
}

/* ---- the widget ---- */

static GtkWidget *
build_classes_page (SyClassroomView *self)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *button = pill_button (_("_New Class"), "new-class-empty", "classroom.new-class", TRUE);
  GtkWidget *list = new_boxed_list ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "system-users-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Classes Yet"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Make a class, add its pupils by name, then assign them courses."));
  adw_status_page_set_child (ADW_STATUS_PAGE (empty), button);
  gtk_stack_add_named (GTK_STACK (stack), empty, "empty");

  g_signal_connect_object (list, "row-activated", G_CALLBACK (class_row_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), new_section (_("Your Classes"), NULL, list));
  gtk_stack_add_named (GTK_STACK (stack), new_page (box), "list");

  self->classes_stack = GTK_STACK (stack);
  self->classes_list = GTK_LIST_BOX (list);
  return stack;
}

static GtkWidget *
section_button (const char *mnemonic,
                const char *name,
                const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
build_class_page (SyClassroomView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *pupils = new_boxed_list ();
  GtkWidget *assigned = new_boxed_list ();

  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (buttons), pill_button (_("_Start Session"), "start-session",
                                                  "classroom.start-session", TRUE));
  gtk_box_append (GTK_BOX (buttons), pill_button (_("Coach _Report"), "coach-report",
                                                  "classroom.coach-report", FALSE));
  gtk_box_append (GTK_BOX (buttons), pill_button (_("_Pupils’ PC Mode"), "class-mode",
                                                  "classroom.class-mode", FALSE));
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (box),
                  new_section (_("Pupils"),
                               section_button (_("_Add Pupils…"), "add-pupils", "classroom.add-pupils"),
                               pupils));
  gtk_box_append (GTK_BOX (box),
                  new_section (_("Assigned Work"),
                               section_button (_("Ass_ign…"), "assign", "classroom.assign"),
                               assigned));
  self->pupils_list = GTK_LIST_BOX (pupils);
  self->assign_list = GTK_LIST_BOX (assigned);
  return new_page (box);
}

static GtkWidget *
build_attendance_page (SyClassroomView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *flow = gtk_flow_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *hint = gtk_label_new (_("Tap each pupil who is here. Arrow keys move, Space marks."));

  gtk_widget_add_css_class (count, "title-2");
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_set_hexpand (count, TRUE);
  gtk_box_append (GTK_BOX (top), count);
  gtk_box_append (GTK_BOX (top), pill_button (_("Class _Quiz…"), "class-quiz", "classroom.class-quiz", TRUE));
  gtk_box_append (GTK_BOX (box), top);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), hint);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 3);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 8);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_widget_set_valign (flow, GTK_ALIGN_START);
  gtk_widget_add_css_class (flow, "attendance-grid");
  gtk_accessible_update_property (GTK_ACCESSIBLE (flow), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pupils"), -1);
  g_signal_connect_object (flow, "child-activated", G_CALLBACK (attendance_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), flow);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  self->attendance_box = GTK_FLOW_BOX (flow);
  self->attendance_count = GTK_LABEL (count);
  return scroller;
}

static GtkWidget *
build_quiz_page (SyClassroomView *self)
{
  GtkWidget *paned = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *question_scroller = gtk_scrolled_window_new ();
  GtkWidget *question = adw_bin_new ();
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *flow = gtk_flow_box_new ();
  GtkWidget *flow_scroller = gtk_scrolled_window_new ();
  GtkWidget *hint = gtk_label_new (NULL);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *previous = gtk_button_new_with_mnemonic (_("_Previous Question"));
  GtkWidget *next = gtk_button_new_with_mnemonic (_("_Next Question"));
  GtkWidget *finish = pill_button (_("_Finish Quiz"), "finish-quiz", "classroom.finish-quiz", TRUE);
  GtkWidget *spacer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *answer_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *absent = gtk_button_new_with_mnemonic (_("_Absent"));
  GtkEventController *entry_keys;

  gtk_widget_set_margin_top (question, 18);
  gtk_widget_set_margin_start (question, 24);
  gtk_widget_set_margin_end (question, 24);
  gtk_widget_add_css_class (question, "class-quiz-question");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (question_scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (question_scroller), question);
  gtk_widget_set_vexpand (question_scroller, TRUE);
  gtk_box_append (GTK_BOX (paned), question_scroller);
  gtk_box_append (GTK_BOX (paned), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (bottom), hint);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (flow), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Answers"), -1);
  g_signal_connect_object (flow, "child-activated", G_CALLBACK (answer_tile_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (flow_scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (flow_scroller), 180);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (flow_scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (flow_scroller), flow);
  gtk_box_append (GTK_BOX (bottom), flow_scroller);

  /* typed answers go to the pupil the grid marks; in the entry A is a letter, so absent
   * is the button's mnemonic (Alt+A) */
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The chosen pupil’s answer"), -1);
  g_signal_connect_object (entry, "activate", G_CALLBACK (answer_entry_activate_cb), self,
                           G_CONNECT_SWAPPED);
  entry_keys = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (entry_keys, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (entry_keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Down, 0),
                                                          gtk_named_action_new ("classroom.next-pupil")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (entry_keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Up, 0),
                                                          gtk_named_action_new ("classroom.previous-pupil")));
  gtk_widget_add_controller (entry, entry_keys);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (absent), "classroom.absent");
  gtk_box_append (GTK_BOX (answer_row), entry);
  gtk_box_append (GTK_BOX (answer_row), absent);
  gtk_widget_set_visible (answer_row, FALSE);
  gtk_box_append (GTK_BOX (bottom), answer_row);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (previous), "classroom.previous-question");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (next), "classroom.next-question");
  gtk_widget_set_hexpand (spacer, TRUE);
  gtk_box_append (GTK_BOX (bar), previous);
  gtk_box_append (GTK_BOX (bar), next);
  gtk_box_append (GTK_BOX (bar), spacer);
  gtk_box_append (GTK_BOX (bar), finish);
  gtk_box_append (GTK_BOX (bottom), bar);

  gtk_widget_set_margin_top (bottom, 12);
  gtk_widget_set_margin_bottom (bottom, 12);
  gtk_widget_set_margin_start (bottom, 18);
  gtk_widget_set_margin_end (bottom, 18);
  gtk_box_append (GTK_BOX (paned), bottom);

  self->question_bin = ADW_BIN (question);
  self->answer_box = GTK_FLOW_BOX (flow);
  self->quiz_hint = GTK_LABEL (hint);
  self->answer_row = answer_row;
  self->answer_entry = GTK_EDITABLE (entry);
  return paned;
}

static GtkWidget *
build_results_page (SyClassroomView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = new_boxed_list ();
  GtkWidget *note = gtk_label_new (_("Each pupil’s answers are in their own record."));

  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (box), new_section (_("Results"), NULL, list));
  gtk_box_append (GTK_BOX (box), note);
  self->results_list = GTK_LIST_BOX (list);
  return new_page (box);
}

static void
sy_classroom_view_dispose (GObject *object)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (object);

  sy_classroom_view_close (self);
  G_OBJECT_CLASS (sy_classroom_view_parent_class)->dispose (object);
}

static void
sy_classroom_view_finalize (GObject *object)
{
  SyClassroomView *self = SY_CLASSROOM_VIEW (object);

  g_hash_table_unref (self->courses);
  g_hash_table_unref (self->answers);
  g_free (self->last_toast);
  G_OBJECT_CLASS (sy_classroom_view_parent_class)->finalize (object);
}

static void
sy_classroom_view_class_init (SyClassroomViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_classroom_view_dispose;
  object_class->finalize = sy_classroom_view_finalize;

  gtk_widget_class_install_action (widget_class, "classroom.new-class", NULL, new_class_action);
  gtk_widget_class_install_action (widget_class, "classroom.add-pupils", NULL, add_pupils_action);
  gtk_widget_class_install_action (widget_class, "classroom.assign", NULL, assign_action);
  gtk_widget_class_install_action (widget_class, "classroom.start-session", NULL, start_session_action);
  gtk_widget_class_install_action (widget_class, "classroom.coach-report", NULL, coach_report_action);
  gtk_widget_class_install_action (widget_class, "classroom.class-mode", NULL, class_mode_action);
  gtk_widget_class_install_action (widget_class, "classroom.save-pdf", NULL, save_pdf_action);
  gtk_widget_class_install_action (widget_class, "classroom.class-quiz", NULL, class_quiz_action);
  gtk_widget_class_install_action (widget_class, "classroom.answer", "i", answer_action);
  gtk_widget_class_install_action (widget_class, "classroom.absent", NULL, absent_action);
  gtk_widget_class_install_action (widget_class, "classroom.record", NULL, record_action);
  gtk_widget_class_install_action (widget_class, "classroom.next-pupil", NULL, move_pupil_action);
  gtk_widget_class_install_action (widget_class, "classroom.previous-pupil", NULL, move_pupil_action);
  gtk_widget_class_install_action (widget_class, "classroom.next-question", NULL, move_question_action);
  gtk_widget_class_install_action (widget_class, "classroom.previous-question", NULL, move_question_action);
  gtk_widget_class_install_action (widget_class, "classroom.finish-quiz", NULL, finish_quiz_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "classroom.new-class", NULL);
  /* The class quiz: the teacher types each pupil's answer without looking at the mouse. */
  for (int i = 1; i <= 9; i++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + i, 0, "classroom.answer", "i", i);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0 + i, 0, "classroom.answer", "i", i);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "classroom.record", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "classroom.record", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "classroom.absent", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_A, GDK_SHIFT_MASK, "classroom.absent", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "classroom.next-pupil", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "classroom.previous-pupil", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "classroom.next-question", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "classroom.previous-question", NULL);
}

static void
sy_classroom_view_init (SyClassroomView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *title = adw_window_title_new (_("Classroom"), NULL);
  GtkWidget *new_class = gtk_button_new_from_icon_name ("list-add-symbolic");
  GtkWidget *save = gtk_button_new_with_mnemonic (_("Save as _PDF…"));
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *toasts = adw_toast_overlay_new ();

  self->courses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gtk_widget_set_tooltip_text (back, _("Back"));
  g_signal_connect_object (back, "clicked", G_CALLBACK (back_clicked_cb), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  gtk_widget_set_tooltip_text (new_class, _("New Class"));
  gtk_widget_set_name (new_class, "new-class");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (new_class), "classroom.new-class");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), new_class);
  gtk_widget_set_name (save, "save-pdf");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "classroom.save-pdf");
  gtk_widget_add_css_class (save, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);

  gtk_stack_set_transition_type (GTK_STACK (stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_set_vexpand (stack, TRUE);
  gtk_stack_add_named (GTK_STACK (stack), build_classes_page (self), "classes");
  gtk_stack_add_named (GTK_STACK (stack), build_class_page (self), "class");
  gtk_stack_add_named (GTK_STACK (stack), build_attendance_page (self), "attendance");
  gtk_stack_add_named (GTK_STACK (stack), build_quiz_page (self), "quiz");
  gtk_stack_add_named (GTK_STACK (stack), build_results_page (self), "results");
  self->report_bin = ADW_BIN (adw_bin_new ());
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (self->report_bin), "report");
  gtk_box_append (GTK_BOX (box), stack);

  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (toasts), box);
  adw_bin_set_child (ADW_BIN (self), toasts);

  self->toasts = ADW_TOAST_OVERLAY (toasts);
  self->stack = GTK_STACK (stack);
  self->title = ADW_WINDOW_TITLE (title);
  self->new_class_button = new_class;
  self->save_pdf_button = save;
  update_header (self);
  update_actions (self);
}

GtkWidget *
sy_classroom_view_new (void)
{
  return g_object_new (SY_TYPE_CLASSROOM_VIEW, NULL);
}

/**
 * sy_classroom_view_open:
 * @teacher: a teacher, signed in with their PIN
 *
 * Shows @teacher's classes.
 */
void
sy_classroom_view_open (SyClassroomView *self,
                        SyStore         *store,
                        SyLearner       *teacher)
{
  g_return_if_fail (SY_IS_CLASSROOM_VIEW (self));
  g_return_if_fail (SY_IS_STORE (store));
  g_return_if_fail (SY_IS_LEARNER (teacher));

  sy_classroom_view_close (self);
  g_set_object (&self->store, store);
  g_set_object (&self->teacher, teacher);
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->classes_stack, "list");
  show_page (self, "classes");
  reload_classes (self);
}

/**
 * sy_classroom_view_close:
 *
 * Forgets the teacher and everything shown of their classes (on signing out).
 */
void
sy_classroom_view_close (SyClassroomView *self)
{
  g_return_if_fail (SY_IS_CLASSROOM_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  close_dialog (self);
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }
  g_clear_object (&self->teacher);
  g_clear_object (&self->store);
  g_clear_pointer (&self->class_uuid, g_free);
  g_clear_pointer (&self->class_name, g_free);
  g_clear_pointer (&self->classes, g_ptr_array_unref);
  g_clear_pointer (&self->pupils, g_ptr_array_unref);
  g_clear_pointer (&self->assignments, g_ptr_array_unref);
  g_clear_pointer (&self->session, sy_class_session_free);
  g_clear_pointer (&self->attendance, g_ptr_array_unref);
  g_clear_pointer (&self->quiz, sy_quiz_unref);
  g_clear_pointer (&self->quiz_order, g_array_unref);
  g_clear_object (&self->quiz_course);
  self->quiz_item = NULL;
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->report, sy_coach_report_free);
  g_clear_pointer (&self->assign_ids, g_ptr_array_unref);
  if (self->courses != NULL)
    g_hash_table_remove_all (self->courses);
  if (self->answers != NULL)
    g_hash_table_remove_all (self->answers);
  self->n_pending = 0;
  if (self->classes_list != NULL)
    {
      clear_list (self->classes_list);
      clear_list (self->pupils_list);
      clear_list (self->assign_list);
      clear_list (self->results_list);
      adw_bin_set_child (self->report_bin, NULL);
      adw_bin_set_child (self->question_bin, NULL);
    }
}

/* ---- for the tests ---- */

const char *
_sy_classroom_view_get_page (SyClassroomView *self)
{
  return page_name (self);
}

gboolean
_sy_classroom_view_is_busy (SyClassroomView *self)
{
  return self->busy > 0;
}

const char *
_sy_classroom_view_get_last_toast (SyClassroomView *self)
{
  return self->last_toast;
}

GtkWindow *
_sy_classroom_view_get_dialog (SyClassroomView *self)
{
  return self->dialog;
}

GtkEditable *
_sy_classroom_view_get_dialog_entry (SyClassroomView *self)
{
  return self->dialog_entry;
}

GtkTextView *
_sy_classroom_view_get_dialog_text (SyClassroomView *self)
{
  return self->dialog_text;
}

GtkListBox *
_sy_classroom_view_get_dialog_list (SyClassroomView *self)
{
  return self->dialog_list;
}

GtkWidget *
_sy_classroom_view_get_dialog_button (SyClassroomView *self)
{
  return self->dialog_button;
}

const char *
_sy_classroom_view_get_dialog_error (SyClassroomView *self)
{
  if (self->dialog_error == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->dialog_error)))
    return NULL;
  return gtk_label_get_label (self->dialog_error);
}

GtkListBox *
_sy_classroom_view_get_classes_list (SyClassroomView *self)
{
  return self->classes_list;
}

guint
_sy_classroom_view_get_n_pupils (SyClassroomView *self)
{
  return self->pupils ? self->pupils->len : 0;
}

GtkFlowBox *
_sy_classroom_view_get_attendance_box (SyClassroomView *self)
{
  return self->attendance_box;
}

const char *
_sy_classroom_view_get_attendance_count (SyClassroomView *self)
{
  return gtk_label_get_label (self->attendance_count);
}

const char *
_sy_classroom_view_get_session (SyClassroomView *self)
{
  return self->session ? self->session->uuid : NULL;
}

guint
_sy_classroom_view_get_quiz_pupil (SyClassroomView *self)
{
  return self->quiz_pupil;
}

GtkEditable *
_sy_classroom_view_get_answer_entry (SyClassroomView *self)
{
  return gtk_widget_get_visible (self->answer_row) ? self->answer_entry : NULL;
}

guint
_sy_classroom_view_get_quiz_question (SyClassroomView *self)
{
  return self->quiz_question;
}

guint
_sy_classroom_view_get_n_pending (SyClassroomView *self)
{
  return self->n_pending;
}

guint
_sy_classroom_view_get_n_results (SyClassroomView *self)
{
  return self->results ? self->results->len : 0;
}

gboolean
_sy_classroom_view_has_report (SyClassroomView *self)
{
  return self->report != NULL;
}

void
_sy_classroom_view_save_report (SyClassroomView *self,
                                const char      *path)
{
  save_report_to (self, path);
}
